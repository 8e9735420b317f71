/// What the engine learned about an upload, for the database. None of it reaches a rendition.
public struct ImageFacts: Sendable, Hashable, Codable {
    /// Upright size of the original (after the EXIF orientation is applied).
    public var width: Int
    public var height: Int
    public var format: ImageFormat
    /// The EXIF orientation that was applied (1...8; 1 when absent, invalid, or HEIF/AVIF, whose container
    /// rotation libheif already applies).
    public var orientation: Int
    /// The embedded ICC profile's description ("Display P3"), or "embedded" when it has none; nil without a profile.
    public var icc: String?
    public var gps: GPSPosition?
    /// EXIF DateTimeOriginal as ISO 8601 ("2008-10-22T16:28:39", with "+02:00" when the camera wrote an offset).
    public var capturedAt: String?
    public var camera: Camera?
    /// BlurHash of the rendered (filtered, upright) image, 4×3 components (3×4 for portrait).
    public var blurhash: String

    public init(
        width: Int, height: Int, format: ImageFormat, orientation: Int, icc: String?, gps: GPSPosition?,
        capturedAt: String?, camera: Camera?, blurhash: String
    ) {
        self.width = width
        self.height = height
        self.format = format
        self.orientation = orientation
        self.icc = icc
        self.gps = gps
        self.capturedAt = capturedAt
        self.camera = camera
        self.blurhash = blurhash
    }
}

public struct GPSPosition: Sendable, Hashable, Codable {
    /// Degrees, south negative (6 decimals, ~0.1 m).
    public var latitude: Double
    /// Degrees, west negative.
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

public struct Camera: Sendable, Hashable, Codable {
    public var make: String?
    public var model: String?

    public init(make: String?, model: String?) {
        self.make = make
        self.model = model
    }
}
