using System.Runtime.InteropServices;

namespace Lookalike.IO;

/// <summary>What sits at a path: only regular files are ever read as images.</summary>
public enum FileKind
{
    /// <summary>Nothing (or the type could not be read).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (not followed).</summary>
    SymbolicLink,

    /// <summary>A named pipe: reading it waits for a writer, possibly forever.</summary>
    Fifo,

    /// <summary>A character device such as /dev/zero: reading it may never end.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>The platform does not tell.</summary>
    Unknown,
}

/// <summary>Reads the type of a file system entry (POSIX <c>lstat</c>/<c>stat</c>), which .NET's file APIs do not expose.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class FileKinds
{
    // The runtime's own POSIX shim: its FileStatus starts with two 32-bit fields, Flags and Mode,
    // and Mode carries the portable S_IFMT bits. The buffer is larger than the struct on purpose.
    private const int StatusBytes = 256;

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] status);

    /// <summary>The kind of <paramref name="path"/>; with <paramref name="followLinks"/>, of what a link points to.</summary>
    public static FileKind Of(string path, bool followLinks = false)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return FallbackOf(path, followLinks);
        var status = new byte[StatusBytes];
        int result;
        try
        {
            result = followLinks ? Stat(path, status) : LStat(path, status);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return FallbackOf(path, followLinks);
        }
        if (result != 0) return FileKind.Missing;
        int mode = BitConverter.ToInt32(status, 4);
        return (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
    }

    /// <summary>A short description for messages, e.g. "a named pipe (FIFO)".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        _ => "not a regular file",
    };

    private static FileKind FallbackOf(string path, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) return FileKind.SymbolicLink;
        if (Directory.Exists(path)) return FileKind.Directory;
        return info.Exists ? FileKind.Unknown : FileKind.Missing;
    }
}
