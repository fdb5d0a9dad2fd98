using Lookalike.Cli.Commands;
using Lookalike.Onnx.Imaging.Isolation;
using Lookalike.Tests.Common;

namespace Lookalike.Cli.Tests;

/// <summary><c>serve</c> decodes uploads in this program started as <c>lookalike decode-worker</c>.</summary>
public sealed class DecodeWorkerTests
{
    [Fact]
    public void The_cli_started_as_a_worker_decodes_and_a_bad_file_costs_only_the_request()
    {
        var command = DecodeWorkerCommand.CommandLine();
        Assert.Equal("decode-worker", command[^1]);
        using var decoder = new IsolatedImageDecoder(new IsolatedDecoderOptions { FileName = command[0], Arguments = [.. command.Skip(1)], Workers = 1 });
        Assert.Null(decoder.Check());
        var decoded = decoder.Load(HostileImages.BlackPng(40, 30), "black.png", 224, 224);
        Assert.Equal((40, 30), (decoded.OriginalWidth, decoded.OriginalHeight));
        byte[] truncated = HostileImages.BlackPng(400, 300)[..60];
        Assert.ThrowsAny<Errors.LookalikeException>(() => decoder.Load(truncated, "truncated.png", 224, 224));
        Assert.Equal((40, 30), (decoder.Load(HostileImages.BlackPng(40, 30), "again.png", 224, 224).OriginalWidth, 30));
    }
}
