import Foundation
import Testing

@testable import S3

@Suite struct HTTPDateTests {
    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1_369_353_600.0, "Fri, 24 May 2013 00:00:00 GMT"),
        (1_445_412_480.9, "Wed, 21 Oct 2015 07:28:00 GMT"),
        (951_782_400.0 + 3_723, "Tue, 29 Feb 2000 01:02:03 GMT"),
        (4_102_444_799.0, "Thu, 31 Dec 2099 23:59:59 GMT"),
    ])
    func formatsIMFFixdateAndReadsItBack(_ seconds: Double, _ text: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(HTTPDate.format(date) == text)
        #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: seconds.rounded(.down)))
    }

    @Test(arguments: ["", "yesterday", "Wed, 21 Oct 2015 07:28:00", "Wed, 21 Foo 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT",
                      "Wed Oct 21 07:28:00 2015", "Wed, 32 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 25:28:00 GMT"])
    func refusesEverythingElse(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
