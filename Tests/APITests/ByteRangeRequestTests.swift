@testable import API
import S3
import Testing

@Suite struct ByteRangeRequestTests {
    @Test(arguments: [
        ("bytes=0-9", ByteRangeRequest.single(.closed(first: 0, last: 9))),
        ("bytes=5-5", .single(.closed(first: 5, last: 5))),
        ("bytes=500-", .single(.from(first: 500))),
        ("bytes=-200", .single(.suffix(length: 200))),
        ("bytes=-0", .single(.suffix(length: 0))),
        ("Bytes = 0-9", nil),
        ("BYTES=0-9", .single(.closed(first: 0, last: 9))),
        (" bytes=0-9 ", .single(.closed(first: 0, last: 9))),
        ("bytes= 0-9 ,", .single(.closed(first: 0, last: 9))),
        ("bytes=0-1,3-4", .multiple),
        ("bytes=0-1, -5", .multiple),
    ] as [(String, ByteRangeRequest?)])
    func reads(_ header: String, _ expected: ByteRangeRequest?) {
        #expect(ByteRangeRequest(header) == expected)
    }

    /// What a server must ignore (and answer 200 to) rather than guess at.
    @Test(arguments: [
        "bytes=9-5", "bytes=-", "bytes=", "bytes=a-b", "bytes=0-9x", "bytes=+1-2", "bytes=0--1", "items=0-9", "0-9",
        "bytes=0-1,x", "bytes=99999999999999999999-", "",
    ])
    func ignoresWhatIsNotARangeSet(_ header: String) {
        #expect(ByteRangeRequest(header) == nil)
    }
}
