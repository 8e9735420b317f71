import Imaging
import Foundation
import Pipeline
import Storage
import Testing

@Suite struct UploadRulesTests {
    @Test func captionLimitCountsCodePointsNotBytes() throws {
        let emoji = String(repeating: "📷", count: UploadRules.maxCaptionLength)
        #expect(try UploadRules.validateCaption(emoji) == emoji)
        #expect(throws: PipelineError.self) { try UploadRules.validateCaption(emoji + "x") }
    }

    @Test func captionsFollowTheTextRules() throws {
        let error = try #require(throws: PipelineError.self) { try UploadRules.validateCaption("nul\u{0}here") }
        #expect(error.code == .invalidRequest)
        #expect(error.message.contains("control characters"))
    }

    @Test(arguments: [
        ("48.8584", "2.2945", true), ("-90", "180", true), ("90.0001", "0", false), ("0", "-180.5", false),
        ("nan", "0", false), ("inf", "0", false), ("abc", "1", false), ("0x10", "0", false), ("1e1", "0", false),
        ("0", "+1", false),
    ])
    func locationRanges(_ lat: String, _ lng: String, _ valid: Bool) throws {
        if valid {
            #expect(try UploadRules.location(latitude: lat, longitude: lng) != nil)
        } else {
            #expect(throws: PipelineError.self) { try UploadRules.location(latitude: lat, longitude: lng) }
        }
    }

    @Test func locationNeedsBothOrNeither() throws {
        #expect(try UploadRules.location(latitude: nil, longitude: nil) == nil)
        #expect(throws: PipelineError.self) { try UploadRules.location(latitude: "1", longitude: nil) }
        #expect(throws: PipelineError.self) { try UploadRules.location(latitude: nil, longitude: "1") }
    }

    @Test func crosspostNamesKnownNetworksOnceInOrder() throws {
        #expect(try UploadRules.crosspost(" Facebook,twitter,facebook ") == ["facebook", "twitter"])
        #expect(try UploadRules.crosspost(nil) == [])
        #expect(try UploadRules.crosspost("") == [])
        #expect(throws: PipelineError.self) { try UploadRules.crosspost("twitter,myspace") }
    }

    @Test func filterDefaultsToNormalAndRejectsUnknownNames() throws {
        #expect(try UploadRules.filter(nil).name == "normal")
        #expect(try UploadRules.filter("Clarendon").name == "clarendon")
        let error = try #require(throws: PipelineError.self) { try UploadRules.filter("nope") }
        #expect(error.code == .unknownFilter)
    }

    @Test func captureDatesKeepTheirOffsetOrReadAsUTC() throws {
        let local = try #require(MetadataStage.captureDate("2008-10-22T16:28:39"))
        let offset = try #require(MetadataStage.captureDate("2008-10-22T16:28:39+02:00"))
        #expect(local.timeIntervalSince(offset) == 7_200)
        #expect(MetadataStage.captureDate("yesterday") == nil)
        #expect(MetadataStage.captureDate(nil) == nil)
    }

    struct LocationCase: Sendable {
        var given: MediaLocation?
        var field: String?
        var expected: PublicLocation?
    }

    /// Private by default; `location=exif` opts in to the photo's GPS; never both ways at once; no other value.
    @Test(arguments: [
        LocationCase(given: nil, field: nil, expected: PublicLocation.none),
        LocationCase(given: nil, field: "", expected: PublicLocation.none),
        LocationCase(given: MediaLocation(latitude: 1, longitude: 2), field: nil, expected: .given(MediaLocation(latitude: 1, longitude: 2))),
        LocationCase(given: nil, field: "exif", expected: .exif),
        LocationCase(given: nil, field: "EXIF", expected: .exif),
        LocationCase(given: MediaLocation(latitude: 1, longitude: 2), field: "exif", expected: nil),
        LocationCase(given: nil, field: "public", expected: nil),
    ])
    func publicLocationFromTheForm(_ test: LocationCase) throws {
        if let expected = test.expected {
            #expect(try UploadRules.publicLocation(given: test.given, location: test.field) == expected)
        } else {
            #expect(throws: PipelineError.self) { try UploadRules.publicLocation(given: test.given, location: test.field) }
        }
    }

    @Test func onlyTheOptInPublishesTheExifGPS() {
        let gps = MediaLocation(latitude: -22.95, longitude: -43.21)
        let sent = MediaLocation(latitude: 1, longitude: 2)
        #expect(PublicLocation.none.resolved(exifGPS: gps) == nil)
        #expect(PublicLocation.given(sent).resolved(exifGPS: gps) == sent)
        #expect(PublicLocation.exif.resolved(exifGPS: gps) == gps)
        #expect(PublicLocation.exif.resolved(exifGPS: nil) == nil)
    }
}
