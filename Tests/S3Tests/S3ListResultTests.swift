import Foundation
import Testing

@testable import S3

@Suite struct S3ListResultTests {
    @Test func parsesATruncatedPage() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>darkroom</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated>
              <Contents>
                <Key>p/a &amp; b.jpg</Key>
                <LastModified>2013-05-24T00:00:00.000Z</LastModified>
                <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
                <Size>434234</Size>
                <StorageClass>STANDARD</StorageClass>
              </Contents>
              <Contents>
                <Key>p/c.jpg</Key><LastModified>2013-05-24T00:00:01Z</LastModified><ETag>"abc"</ETag><Size>0</Size>
              </Contents>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """
        let listing = try S3ListResult.parse(xml)
        #expect(listing.entries.map(\.key.rawValue) == ["p/a & b.jpg", "p/c.jpg"])
        #expect(listing.entries.map(\.size) == [434_234, 0])
        #expect(listing.entries.map(\.etag) == ["9b2cf535f27731c974343645a3985328", "abc"])
        #expect(listing.entries[0].lastModified == Date(timeIntervalSince1970: 1_369_353_600))
        #expect(listing.continuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func lastPageHasNoToken() throws {
        let xml = "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>"
        let listing = try S3ListResult.parse(xml)
        #expect(listing.entries.isEmpty)
        #expect(listing.continuationToken == nil)
    }

    @Test(arguments: [
        "<Error><Code>x</Code></Error>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents></ListBucketResult>",
    ])
    func malformedAnswersAreProtocolErrors(xml: String) {
        #expect {
            try S3ListResult.parse(xml)
        } throws: { ($0 as? S3Error)?.code == .protocolError }
    }

    @Test func etagsLoseTheirQuotes() {
        #expect(unquoteETag("\"abc\"") == "abc")
        #expect(unquoteETag("W/\"abc\"") == "abc")
        #expect(unquoteETag("abc") == "abc")
    }
}
