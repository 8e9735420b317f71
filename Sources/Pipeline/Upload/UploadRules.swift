import Foundation
import Storage
import Imaging

/// The rules an upload's fields must follow; the API checks them before any image work.
public enum UploadRules {
    /// In Unicode code points (see `TextRules`).
    public static let maxCaptionLength = 2_200
    /// Networks `crosspost` may name (their HTTP APIs are configured per deployment).
    public static let crosspostNetworks: Set<String> = ["twitter", "facebook"]

    public static func validateCaption(_ caption: String) throws(PipelineError) -> String {
        do {
            return try TextRules.validated(caption, field: "caption", maxCodePoints: maxCaptionLength, multiline: true)
        } catch {
            throw PipelineError(.invalidRequest, error.message)
        }
    }

    /// `lat` and `lng` both or neither, plain decimal numbers in range.
    public static func location(latitude: String?, longitude: String?) throws(PipelineError) -> MediaLocation? {
        switch (latitude, longitude) {
        case (nil, nil):
            return nil
        case let (lat?, lng?):
            guard let lat = DecimalText.double(lat), let lng = DecimalText.double(lng), (-90...90).contains(lat), (-180...180).contains(lng) else {
                throw PipelineError(.invalidRequest, "lat must be a decimal number in -90...90 and lng in -180...180")
            }
            return MediaLocation(latitude: lat, longitude: lng)
        default:
            throw PipelineError(.invalidRequest, "lat and lng go together")
        }
    }

    /// The public location from the form: `lat`+`lng` (`given`, checked by ``location(latitude:longitude:)``), or `location=exif` to publish the photo's own GPS, or nothing
    /// (private). `location` accepts only `exif`, and never together with coordinates.
    public static func publicLocation(given: MediaLocation?, location: String?) throws(PipelineError) -> PublicLocation {
        switch (location.map { $0.lowercased() }, given) {
        case (nil, nil), ("", nil):
            return .none
        case (nil, let given?), ("", let given?):
            return .given(given)
        case ("exif", nil):
            return .exif
        case ("exif", _?):
            throw PipelineError(.invalidRequest, "send either lat and lng or location=exif, not both")
        default:
            throw PipelineError(.invalidRequest, "location may only be exif (publish the photo's own GPS)")
        }
    }

    /// A comma-separated list such as `twitter,facebook`; duplicates collapse, order is kept.
    public static func crosspost(_ field: String?) throws(PipelineError) -> [String] {
        guard let field, !field.isEmpty else { return [] }
        var networks: [String] = []
        for part in field.split(separator: ",") {
            let network = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard crosspostNetworks.contains(network) else {
                throw PipelineError(.invalidRequest, "crosspost names an unknown network (allowed: \(crosspostNetworks.sorted().joined(separator: ", ")))")
            }
            if !networks.contains(network) { networks.append(network) }
        }
        return networks
    }

    /// `filter` by name; `normal` when absent.
    public static func filter(_ name: String?) throws(PipelineError) -> Filter {
        guard let name, !name.isEmpty else { return .normal }
        do {
            return try Filter.named(name.lowercased())
        } catch {
            throw PipelineError(error)
        }
    }
}
