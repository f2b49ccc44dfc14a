using System.Globalization;
using Monitor.Storage.Model.Queries;

namespace Monitor.Web.Common;

/// <summary>
/// Bad query arguments become 400 with a one-line message (ProblemDetails), never a 500: every
/// validation in the services throws an ArgumentException (StoreQueryException) that this filter answers.
/// </summary>
public static class ApiErrors
{
    public static RouteGroupBuilder WithBadRequestMessages(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (ArgumentException e)
            {
                return Results.Problem(detail: e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }
        });
        group.ProducesProblem(StatusCodes.Status400BadRequest);
        return group;
    }

    /// <summary>An optional whole number from the query string, range-checked with a message naming it.</summary>
    public static int? OptionalInt(string? text, string name, int min, int max)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new StoreQueryException($"'{name}' = '{TimeRange.Shorten(text)}' must be a whole number from {min} to {max}");
        return value;
    }
}
