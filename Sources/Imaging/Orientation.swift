internal import CVips

/// EXIF orientation 1...8: how the stored pixels must be turned to be upright.
struct Orientation: Sendable, Hashable {
    let value: Int

    /// Invalid values (0, 9, garbage) count as 1, as browsers do.
    init(exif: Int?) {
        value = exif.map { (1...8).contains($0) ? $0 : 1 } ?? 1
    }

    static let up = Orientation(exif: 1)

    /// 5...8 swap width and height.
    var swapsAxes: Bool { value >= 5 }

    /// Upright size for stored size (or stored size for upright: the mapping is its own inverse for sizes).
    func transpose(_ size: (width: Int, height: Int)) -> (width: Int, height: Int) {
        swapsAxes ? (size.height, size.width) : size
    }

    /// Turns the (already small) image upright. Rotating after the resize is the measured cheaper order.
    func apply(to image: VipsImageRef) throws(ImagingError) -> VipsImageRef {
        let rotation: VipsAngle?
        let flip: VipsDirection?
        switch value {
        case 2: (rotation, flip) = (nil, VIPS_DIRECTION_HORIZONTAL)
        case 3: (rotation, flip) = (VIPS_ANGLE_D180, nil)
        case 4: (rotation, flip) = (nil, VIPS_DIRECTION_VERTICAL)
        case 5: (rotation, flip) = (VIPS_ANGLE_D90, VIPS_DIRECTION_HORIZONTAL)  // transpose
        case 6: (rotation, flip) = (VIPS_ANGLE_D90, nil)
        case 7: (rotation, flip) = (VIPS_ANGLE_D90, VIPS_DIRECTION_VERTICAL)  // transverse
        case 8: (rotation, flip) = (VIPS_ANGLE_D270, nil)
        default: (rotation, flip) = (nil, nil)
        }
        var result = image
        if let rotation {
            result = try result.then(.renderFailed, "rot") { cvips_rot($0, $1, cEnum(rotation)) }
        }
        if let flip {
            result = try result.then(.renderFailed, "flip") { cvips_flip($0, $1, cEnum(flip)) }
        }
        return result
    }
}
