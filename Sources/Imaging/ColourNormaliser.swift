internal import CVips

/// Brings any decoded image to 8-bit sRGB with 3 bands (4 with alpha), the only thing filters and savers see.
enum ColourNormaliser {
    static func toSRGB(_ image: VipsImageRef, profile: IccProfile?) throws(ImagingError) -> VipsImageRef {
        var result = image
        if image.interpretation == VIPS_INTERPRETATION_CMYK {
            // Without an embedded profile libvips' built-in CMYK profile (SWOP-like) is the sane guess.
            let fallback: String? = profile == nil ? "cmyk" : nil
            result = try result.then(.renderFailed, "icc cmyk") { in_, out in
                if let fallback { return fallback.withCString { cvips_icc_transform_to_srgb(in_, out, $0) } }
                return cvips_icc_transform_to_srgb(in_, out, nil)
            }
        } else if let profile, !profile.isSRGB {
            result = try result.then(.renderFailed, "icc") { cvips_icc_transform_to_srgb($0, $1, nil) }
        }
        // No ICC or already sRGB: skip the transform (a full pass over the pixels), only fix the encoding.
        if result.interpretation != VIPS_INTERPRETATION_sRGB || !(result.bands == 3 || result.bands == 4) {
            result = try result.then(.renderFailed, "colourspace") { cvips_colourspace($0, $1, cEnum(VIPS_INTERPRETATION_sRGB)) }
        }
        if !result.isUChar {
            result = try result.then(.renderFailed, "cast") { cvips_cast($0, $1, cEnum(VIPS_FORMAT_UCHAR)) }
        }
        result.remove("icc-profile-data")
        return result
    }
}
