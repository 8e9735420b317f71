import CVips
import Foundation
import NIOPosix
import TestSupport
import Testing
@testable import Imaging

/// The allow-list holds even if the sniff were bypassed: libvips itself refuses every other loader.
@Suite struct LoaderBlockTests {
    /// Whether libvips' own sniffing loader (`vips_image_new_from_buffer`) will open these bytes at all.
    static func libvipsOpens(_ bytes: [UInt8]) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            try Vips.initialize()
            defer { vips_error_clear() }
            return bytes.withUnsafeBytes { input in
                guard let image = cvips_generic_load_buffer(input.baseAddress, input.count) else { return false }
                cvips_unref(image)
                return true
            }
        }
    }

    static let blocked = ["bad/svg_plain_logo.svg", "bad/svg_script_onload.svg", "bad/pdf_blankpage.pdf",
                          "bad/tiff_hopper.tif", "bad/bmp_rgb24.bmp", "bad/ico_favicon.ico"]

    @Test("libvips' own loader refuses SVG, PDF, TIFF, BMP, ICO bytes (blocked operations)", arguments: blocked)
    func blockedInLibvips(_ file: String) async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent(file))
        #expect(try await Self.libvipsOpens(bytes) == false)
    }

    @Test("the allowed loaders still open their formats", arguments: [
        "real/gps_nikon_DSCN0010.jpg", "real/rgba_alpha_dice.png", "real/webp_lossy_tree.webp",
        "real/animated_42frames.gif", "real/iphone_p3_gps_IMG_5195.heic",
    ])
    func allowedInLibvips(_ file: String) async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent(file))
        #expect(try await Self.libvipsOpens(bytes))
    }

    @Test("an SVG or a PDF renamed .jpg is unsupported_format",
          arguments: ["svg_named_as.jpg", "pdf_named_as.jpg", "tiff_named_as.jpg"])
    func renamed(_ file: String) async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent(file))
        let error = await #expect(throws: ImagingError.self) { try await ImageEngine().render(bytes) }
        #expect(error?.code == .unsupportedFormat)
    }

    @Test("SVG bytes forced through the JPEG loader are corrupt_image, never rendered")
    func forcedThroughJpegLoader() async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent("bad/svg_plain_logo.svg"))
        let error = try await NIOThreadPool.singleton.runIfActive { () -> ImagingError? in
            try Vips.initialize()
            return bytes.withUnsafeBytes { input -> ImagingError? in
                do throws(ImagingError) {
                    _ = try ImageDecoder.open(input, as: .jpeg)
                    return nil
                } catch {
                    return error
                }
            }
        }
        #expect(error?.code == .corruptImage)
    }
}
