namespace Lookalike.Web.Hosting;

/// <summary>
/// Settings of the search server, bound from the configuration section <c>Lookalike</c>
/// (<c>--Lookalike:Collection=DIR</c>, <c>LOOKALIKE__COLLECTION</c>, appsettings).
/// </summary>
public sealed class SearchServerOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string Section = "Lookalike";

    /// <summary>Collection folder to search (required).</summary>
    public string? Collection { get; set; }

    /// <summary>ONNX model file (default: the collection's model).</summary>
    public string? Model { get; set; }

    /// <summary>Where the network runs: cpu, cuda or cuda:N.</summary>
    public string? Device { get; set; }

    /// <summary>Index spec offered as the "approximate" choice (default: the collection's index, else an LSH setting for its metric).</summary>
    public string? ApproximateIndex { get; set; }

    /// <summary>Whether <c>POST /api/images</c> may add uploads to the collection (off by default).</summary>
    public bool AllowUploadsToCollection { get; set; }

    /// <summary>Where accepted uploads are stored (default: <c>uploads/</c> inside the collection folder).</summary>
    public string? UploadsFolder { get; set; }

    /// <summary>Largest accepted upload in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Largest accepted image in pixels (read from the header, before decoding).</summary>
    public long MaxPixels { get; set; } = Onnx.Imaging.ImageLoaderOptions.DefaultMaxPixels;

    /// <summary>Largest k a search may ask for.</summary>
    public int MaxK { get; set; } = 100;

    /// <summary>Where thumbnails are cached (default: <c>&lt;data dir&gt;/cache/thumbnails</c>).</summary>
    public string? ThumbnailFolder { get; set; }

    /// <summary>Longer side of thumbnails in pixels.</summary>
    public int ThumbnailSize { get; set; } = 256;

    /// <summary>
    /// Decode uploads in worker processes (<c>lookalike-decoder</c>), so that a file that crashes the
    /// native decoder costs a worker, not the server (on by default; off only to measure its cost).
    /// </summary>
    public bool DecodeInWorkerProcess { get; set; } = true;

    /// <summary>Program and arguments of the decoding worker (default: <c>lookalike-decoder</c> beside the server's assemblies; <c>lookalike serve</c> gives its own <c>decode-worker</c> verb).</summary>
    public string[]? DecoderWorkerCommand { get; set; }

    /// <summary>How long decoding one upload may take before its worker is stopped (the request gets 422).</summary>
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Feature extractions run at once; more requests wait (each extraction already uses every core).</summary>
    public int MaxConcurrentExtractions { get; set; } = 2;

    /// <summary>
    /// Whether reading routes (search, images, collection) are open to anyone: null (default) decides by the addresses,
    /// open on loopback only; true opens them everywhere (<c>--public-read</c>); false always asks for a key. Writes always need a write key.
    /// </summary>
    public bool? PublicRead { get; set; }

    /// <summary>Requests to the costly routes (searches, classifying, uploads) one client may make at once; 0 turns the limit off.</summary>
    public int RateLimitBurst { get; set; } = 30;

    /// <summary>Requests to the costly routes one client regains each second.</summary>
    public int RateLimitPerSecond { get; set; } = 5;

    /// <summary>Origins (scheme://host[:port]) whose pages may call the API from a browser (CORS); none by default.</summary>
    public string[]? CorsOrigins { get; set; }

    /// <summary>TLS certificate: PEM (with <see cref="HttpsKey"/>, or holding its key) or PKCS#12; used by the https:// addresses.</summary>
    public string? HttpsCertificate { get; set; }

    /// <summary>PEM private key of <see cref="HttpsCertificate"/>.</summary>
    public string? HttpsKey { get; set; }

    /// <summary>Proxies (addresses or networks) whose <c>X-Forwarded-For</c>/<c>-Proto</c> are believed; none by default.</summary>
    public string[]? TrustedProxies { get; set; }
}
