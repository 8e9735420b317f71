import Foundation
import Testing

/// The two image corpora: the project's own `testimages/` (exact, generated) and `../shared/testimages`
/// (real photos and hostile files). Both are read in place, at test time, through their MANIFEST.tsv.
public enum TestCorpus {
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static let projectImages = repositoryRoot.appendingPathComponent("testimages")
    public static let sharedImages = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testimages")
    public static let benchImages = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/benchimages")

    public static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// Rows of a tab-separated manifest, keyed by the header's column names.
    public static func manifest(_ url: URL) -> [[String: String]] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().filter { $0.count == header.count }.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}

/// One row of `testimages/MANIFEST.tsv`.
public struct ProjectImage: Sendable, CustomTestStringConvertible {
    public var file: String
    public var accept: Bool
    public var code: String
    public var orientation: Int
    public var width: Int
    public var height: Int
    public var maxDiff: Double

    public var url: URL { TestCorpus.projectImages.appendingPathComponent(file) }
    public var testDescription: String { file }

    public static let all: [ProjectImage] = TestCorpus.manifest(TestCorpus.projectImages.appendingPathComponent("MANIFEST.tsv")).map {
        ProjectImage(
            file: $0["file"] ?? "", accept: $0["expect"] == "accept", code: $0["code"] ?? "-",
            orientation: Int($0["orientation"] ?? "") ?? 1, width: Int($0["width"] ?? "") ?? 0,
            height: Int($0["height"] ?? "") ?? 0, maxDiff: Double($0["max_diff"] ?? "") ?? 8)
    }
    public static let accepted = all.filter(\.accept)
    public static let rejected = all.filter { !$0.accept }
}

/// One row of `../shared/testimages/MANIFEST.tsv`; the expected outcome is read from its `notes`.
public struct SharedImage: Sendable, CustomTestStringConvertible {
    public var file: String
    public var format: String
    public var storedWidth: Int?
    public var storedHeight: Int?
    public var notes: String

    public var url: URL { TestCorpus.sharedImages.appendingPathComponent(file) }
    public var testDescription: String { file }

    /// Policy for the "policy-dependent" row (exif_bad_ifd0.jpg): fail_on = error, so warnings alone do not reject.
    public var accepted: Bool { notes.hasPrefix("accept") || notes.hasPrefix("policy-dependent: accept with fail_on=error") }

    public var expectedCode: String? {
        guard !accepted else { return nil }
        if notes.contains("pixel limit") { return "too_many_pixels" }
        if notes.contains("empty body") { return "empty_file" }
        if notes.contains("unsupported format") || notes.contains("not an image") || notes.contains("not a HEIF brand") {
            return "unsupported_format"
        }
        return "corrupt_image"
    }

    /// "EXIF orientation N" from the notes (libvips' header listing); HEIF/AVIF never rotate by EXIF.
    public var exifOrientation: Int {
        guard format == "jpeg", let range = notes.range(of: "EXIF orientation ") else { return 1 }
        return Int(String(notes[range.upperBound...].prefix(1))) ?? 1
    }

    public static let all: [SharedImage] = TestCorpus.manifest(TestCorpus.sharedImages.appendingPathComponent("MANIFEST.tsv")).map {
        SharedImage(
            file: $0["file"] ?? "", format: $0["format"] ?? "", storedWidth: Int($0["width"] ?? ""),
            storedHeight: Int($0["height"] ?? ""), notes: $0["notes"] ?? "")
    }
    public static let accepted = all.filter(\.accepted)
    public static let hostile = all.filter { !$0.accepted }
}

/// One row of `testimages/EXTREME.tsv`: a tiny or extreme-aspect image (1×1 … 4000×1) in one allowed format.
public struct ExtremeImage: Sendable, CustomTestStringConvertible {
    public var file: String
    public var format: String
    public var width: Int
    public var height: Int
    public var accept: Bool
    public var code: String

    public var url: URL { TestCorpus.projectImages.appendingPathComponent(file) }
    public var testDescription: String { file }

    public static let all: [ExtremeImage] = TestCorpus.manifest(TestCorpus.projectImages.appendingPathComponent("EXTREME.tsv")).map {
        ExtremeImage(
            file: $0["file"] ?? "", format: $0["format"] ?? "", width: Int($0["width"] ?? "") ?? 0,
            height: Int($0["height"] ?? "") ?? 0, accept: $0["expect"] == "accept", code: $0["code"] ?? "-")
    }
}

/// The size a rendition named `name` (`w1080`, `sq150`) must have for an upright source of `width`×`height`: the
/// preset's size, never larger than the source (no upscaling) and never 0 px. An oracle written apart from the engine.
public func expectedSize(of name: String, uprightWidth width: Int, uprightHeight height: Int) -> (width: Int, height: Int) {
    if name.hasPrefix("sq"), let side = Int(name.dropFirst(2)) {
        let fitted = min(side, width, height)
        return (fitted, fitted)
    }
    let target = Int(name.dropFirst(1)) ?? 0
    guard width > target else { return (width, height) }
    return (target, max(1, Int((Double(height) * Double(target) / Double(width)).rounded())))
}
