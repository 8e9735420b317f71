internal import CVips

/// Owns one reference to a libvips image. Not Sendable on purpose: it is created, used and released on one
/// thread-pool thread inside a single render, and never escapes it.
final class VipsImageRef {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(taking pointer: UnsafeMutablePointer<VipsImage>) {
        self.pointer = pointer
    }

    deinit {
        cvips_unref(pointer)
    }

    /// Runs one libvips operation that writes a new image through its out-pointer. On failure the error buffer is
    /// read (for the log message) and cleared, and `code` says what the failure means for the caller.
    static func make(
        _ code: ImagingError.Code,
        _ step: String,
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        let status = body(&out)
        guard status == 0, let out else {
            if let out { cvips_unref(out) }
            throw ImagingError(code, "\(step): \(Vips.takeErrorBuffer())")
        }
        return VipsImageRef(taking: out)
    }

    /// One operation on this image: `try image.then(.renderFailed, "rot") { cvips_rot(image.pointer, $0, angle) }`.
    func then(
        _ code: ImagingError.Code,
        _ step: String,
        _ body: (UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws(ImagingError) -> VipsImageRef {
        try Self.make(code, step) { body(pointer, $0) }
    }

    /// Computes every pixel now (this is where a lazy decode really runs and where `fail_on` fires).
    func materialized(_ code: ImagingError.Code, _ step: String) throws(ImagingError) -> VipsImageRef {
        guard let copy = vips_image_copy_memory(pointer) else {
            throw ImagingError(code, "\(step): \(Vips.takeErrorBuffer())")
        }
        return VipsImageRef(taking: copy)
    }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    var bandFormat: VipsBandFormat { vips_image_get_format(pointer) }
    var interpretation: VipsInterpretation { vips_image_get_interpretation(pointer) }
    var isUChar: Bool { bandFormat == VIPS_FORMAT_UCHAR }

    func has(_ field: String) -> Bool {
        cvips_has_field(pointer, field) != 0
    }

    func int(_ field: String) -> Int? {
        guard has(field) else { return nil }
        var value: Int32 = 0
        guard vips_image_get_int(pointer, field, &value) == 0 else {
            vips_error_clear()
            return nil
        }
        return Int(value)
    }

    func blob(_ field: String) -> [UInt8]? {
        guard has(field) else { return nil }
        var data: UnsafeRawPointer?
        var length = 0
        guard cvips_get_blob(pointer, field, &data, &length) == 0, let data else {
            vips_error_clear()
            return nil
        }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }

    func string(_ field: String) -> String? {
        guard has(field) else { return nil }
        var value: UnsafePointer<CChar>?
        guard vips_image_get_string(pointer, field, &value) == 0, let value else {
            vips_error_clear()
            return nil
        }
        return String(cString: value)
    }

    @discardableResult
    func remove(_ field: String) -> Bool {
        vips_image_remove(pointer, field) != 0
    }

    /// Every metadata field libvips holds for this image (the `vipsheader -a` listing).
    var fieldNames: [String] {
        guard let fields = vips_image_get_fields(pointer) else { return [] }
        defer { g_strfreev(fields) }
        var names: [String] = []
        var index = 0
        while let name = fields[index] {
            names.append(String(cString: name))
            index += 1
        }
        return names
    }

    /// Drops every metadata item (EXIF, XMP, IPTC, ICC, orientation, GIF/PNG comments, ...). The savers' `strip`
    /// is not enough on its own: libvips 8.14's WebP saver still writes EXIF and XMP with it.
    func removeAllMetadata() {
        for name in fieldNames { remove(name) }
    }

    /// The pixels as packed bytes (computes them if still lazy). Only for small images: BlurHash, tests.
    func pixelBytes(_ code: ImagingError.Code, _ step: String) throws(ImagingError) -> [UInt8] {
        var size = 0
        guard let memory = vips_image_write_to_memory(pointer, &size) else {
            throw ImagingError(code, "\(step): \(Vips.takeErrorBuffer())")
        }
        defer { cvips_free(memory) }
        return Array(UnsafeRawBufferPointer(start: memory, count: size))
    }

    /// A new image over a copy of packed values (LUTs, masks).
    static func fromMemory<Element>(
        _ values: [Element], width: Int, height: Int, bands: Int, format: VipsBandFormat
    ) throws(ImagingError) -> VipsImageRef {
        let image = values.withUnsafeBytes { bytes in
            vips_image_new_from_memory_copy(bytes.baseAddress, bytes.count, Int32(width), Int32(height), Int32(bands), format)
        }
        guard let image else {
            throw ImagingError(.renderFailed, "new_from_memory_copy: \(Vips.takeErrorBuffer())")
        }
        return VipsImageRef(taking: image)
    }

    /// An n×m matrix image of doubles (what `vips_recomb` wants).
    static func matrix(_ rows: [[Double]]) throws(ImagingError) -> VipsImageRef {
        let height = rows.count
        let width = rows.first?.count ?? 0
        var flat = rows.flatMap { $0 }
        guard let image = flat.withUnsafeMutableBufferPointer({ vips_image_new_matrix_from_array(
            Int32(width), Int32(height), $0.baseAddress, Int32($0.count)) })
        else {
            throw ImagingError(.renderFailed, "new_matrix_from_array: \(Vips.takeErrorBuffer())")
        }
        return VipsImageRef(taking: image)
    }
}

/// libvips enum values go through the C shim as plain ints.
func cEnum<T: RawRepresentable>(_ value: T) -> Int32 where T.RawValue: BinaryInteger {
    Int32(value.rawValue)
}
