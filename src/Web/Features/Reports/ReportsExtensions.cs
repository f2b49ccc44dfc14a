namespace Monitor.Web.Features.Reports;

public static class ReportsExtensions
{
    /// <summary>One top-N report for an interval, an hour, a day or a range.</summary>
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddSingleton<ReportService>();
        return services;
    }
}
