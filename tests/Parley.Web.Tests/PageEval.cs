using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>
/// Evaluations in a page, bounded. Playwright puts no timeout on an evaluation, so one that awaits a promise (a fetch
/// to a node that never answers, an import, a track that stops giving frames) would hold the whole test run forever;
/// here it fails the test after <see cref="Bound"/>, naming what it evaluated.
/// </summary>
internal static class PageEval
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static Task<T> EvalAsync<T>(this IPage page, string expression, object? arg = null) =>
        BoundedAsync(page.EvaluateAsync<T>(expression, arg), expression);

    public static Task EvalAsync(this IPage page, string expression, object? arg = null) =>
        BoundedAsync(page.EvaluateAsync(expression, arg), expression);

    private static async Task<T> BoundedAsync<T>(Task<T> evaluation, string expression)
    {
        try
        {
            return await evaluation.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the page did not finish evaluating in {Bound.TotalSeconds} s: {expression}");
        }
    }
}
