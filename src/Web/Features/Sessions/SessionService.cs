using System.Globalization;
using System.Net;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Sessions;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Sessions;

/// <summary>A search as the URL carries it: /sessions?q=&amp;from=&amp;to=&amp;sort=&amp;dir=&amp;page=&amp;size=&amp;probe=.</summary>
public sealed record SessionSearch(string? Q, string? From, string? To, string? Sort, string? Dir, string? Page, string? Size, string? Probe);

public sealed record SessionResult(SessionQuery Query, TimeRange Range, SessionPage Page, int PageNumber, int PageSize);

/// <summary>
/// Reads searches from the URL (filter, window, sort, page) into store queries, with one-line messages
/// for bad input; the session store is opened once (Sessions:Store) and shared.
/// </summary>
public sealed class SessionService(ISessionStore store, IReadOnlyList<IPNetwork> homeNet, TimeProvider time)
{
    public const int MaxPageSize = 1000;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    public IReadOnlyList<IPNetwork> HomeNet => homeNet;

    /// <exception cref="StoreQueryException">A bad filter (naming the word), window, sort or page.</exception>
    public SessionQuery Parse(SessionSearch search, out TimeRange range, out int page, out int size)
    {
        if (!TimeRange.TryParse(search.From, search.To, time.GetUtcNow(), DefaultWindow, Periods.MaxRange, out range, out var error))
            throw new StoreQueryException(error!);
        SessionFilter? filter;
        try
        {
            filter = SessionFilter.Parse(search.Q);
        }
        catch (SessionFilterException e)
        {
            throw new StoreQueryException($"filter: {e.Message}");
        }
        var sort = SessionSort.Start;
        if (!string.IsNullOrEmpty(search.Sort) && !Enum.TryParse(search.Sort, ignoreCase: true, out sort))
            throw new StoreQueryException($"'sort' = '{search.Sort}' is not one of {string.Join(", ", Enum.GetNames<SessionSort>().Select(n => n.ToLowerInvariant()))}");
        var descending = search.Dir switch
        {
            null or "" or "asc" => false,
            "desc" => true,
            _ => throw new StoreQueryException($"'dir' = '{search.Dir}' must be asc or desc"),
        };
        page = ApiErrors.OptionalInt(search.Page, "page", 1, 1_000_000) ?? 1;
        size = ApiErrors.OptionalInt(search.Size, "size", 1, MaxPageSize) ?? 100;
        return new SessionQuery(range.From, range.To, filter, sort, descending, (page - 1) * size, size,
            string.IsNullOrWhiteSpace(search.Probe) ? null : search.Probe);
    }

    public async Task<SessionResult> SearchAsync(SessionSearch search, CancellationToken cancellationToken)
    {
        var query = Parse(search, out var range, out var page, out var size);
        return new SessionResult(query, range, await store.SearchAsync(query, cancellationToken), page, size);
    }

    /// <summary>Every session of the search, page by page (exports hold the whole result, not one page).</summary>
    public async IAsyncEnumerable<StoredSession> AllAsync(SessionSearch search,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = Parse(search, out _, out _, out _) with { Offset = 0, Limit = 10_000 };
        while (true)
        {
            var page = await store.SearchAsync(query, cancellationToken);
            foreach (var s in page.Sessions) yield return s;
            if (page.Sessions.Count < query.Limit) yield break;
            query = query with { Offset = query.Offset + query.Limit };
        }
    }

    public async Task<SessionReport> ReportAsync(string name, string? from, string? to, string? probe, int? limit, CancellationToken cancellationToken)
    {
        if (!CannedReports.Titles.ContainsKey(name))
            throw new StoreQueryException($"no saved search '{name}'; there are {string.Join(", ", CannedReports.Titles.Keys)}");
        if (!TimeRange.TryParse(from, to, time.GetUtcNow(), TimeSpan.FromDays(1), Periods.MaxRange, out var range, out var error))
            throw new StoreQueryException(error!);
        return await store.ReportAsync(new CannedReportQuery(name, range.From, range.To, homeNet, limit ?? 10,
            string.IsNullOrWhiteSpace(probe) ? null : probe), cancellationToken);
    }

    public static string Csv(StoredSession s)
    {
        var c = CultureInfo.InvariantCulture;
        return string.Join(',',
            TimeRange.Format(s.Start), TimeRange.Format(s.End), s.Duration.TotalSeconds.ToString("0.######", c), SessionNames.Proto(s.Proto),
            SessionAddress.ToText(s.Src), s.SrcPort.ToString(c), SessionAddress.ToText(s.Dst), s.DstPort.ToString(c),
            s.PacketsSrc.ToString(c), s.BytesSrc.ToString(c), s.PacketsDst.ToString(c), s.BytesDst.ToString(c),
            SessionNames.Flags(s.FlagsSrc), SessionNames.Flags(s.FlagsDst), s.State.ToString(), s.Vlan.ToString(c), s.CommunityId, s.Probe);
    }

    public const string CsvHeader =
        "start,end,duration,proto,src,sport,dst,dport,packets_src,bytes_src,packets_dst,bytes_dst,flags_src,flags_dst,state,vlan,community_id,probe";
}
