internal import CVips

/// libvips process set-up: started once, hardened for untrusted bytes, never restarted.
public enum Vips {
    /// The libvips load classes that may ever run on upload bytes (buffer variants only; names from `vips -l`).
    /// Every other `VipsForeignLoad` (svg, pdf, magick, tiff, fits, matrix, csv, ...) is blocked.
    static let allowedLoaders = [
        "VipsForeignLoadJpegBuffer",
        "VipsForeignLoadPngBuffer",
        "VipsForeignLoadWebpBuffer",
        "VipsForeignLoadHeifBuffer",
        "VipsForeignLoadNsgifBuffer",
    ]

    /// Swift runs a `static let` initialiser exactly once, thread-safely: VIPS_INIT is documented as single-threaded.
    private static let started: Result<Void, ImagingError> = {
        guard cvips_init("darkroom") == 0 else {
            return .failure(ImagingError(.unavailable, "vips_init failed: \(takeErrorBuffer())"))
        }
        // Parallelism comes from concurrent renders on the thread pool, not from threads inside one image;
        // this also keeps one render's memory bounded (imgproxy's setting).
        vips_concurrency_set(1)
        // The operation cache would keep decoded upload pixels alive after the render; it buys nothing here.
        vips_cache_set_max(0)
        vips_cache_set_max_mem(0)
        vips_cache_set_max_files(0)
        // Allow-list: block every loader, then unblock the few we call by name. The untrusted flag is a second fence.
        vips_block_untrusted_set(1)
        vips_operation_block_set("VipsForeignLoad", 1)
        for name in allowedLoaders { vips_operation_block_set(name, 0) }
        return .success(())
    }()

    /// Starts libvips (idempotent). Call it once early in `main`; the engine also calls it before every render.
    public static func initialize() throws(ImagingError) {
        try started.get()
    }

    /// libvips' version string, for logs and `darkroom render --json`.
    public static var version: String {
        guard let text = vips_version_string() else { return "unknown" }
        return String(cString: text)
    }

    /// Reads and clears libvips' error buffer. The buffer is global to the process, so the text is only for logs.
    static func takeErrorBuffer() -> String {
        let text = vips_error_buffer().map { String(cString: $0) } ?? ""
        vips_error_clear()
        return text.trimmingSuffixNewlines()
    }
}

extension String {
    fileprivate func trimmingSuffixNewlines() -> String {
        split(separator: "\n", omittingEmptySubsequences: true).joined(separator: " / ")
    }
}
