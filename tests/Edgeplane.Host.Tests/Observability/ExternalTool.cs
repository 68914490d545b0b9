using System.Diagnostics;

namespace Edgeplane.Host.Tests.Observability;

/// <summary>Runs a command line tool with standard input and collects its exit code and output.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output);

    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, (await stdout) + (await stderr));
    }
}
