@testable import API
import Testing

@Suite struct OriginNameTests {
    @Test(arguments: [
        ("w1080.jpg", "w1080", "jpg"), ("sq150.webp", "sq150", "webp"),
    ])
    func validNames(_ name: String, _ preset: String, _ fileExtension: String) throws {
        let parsed = try #require(OriginController.parseName(name))
        #expect(parsed.preset == preset && parsed.fileExtension == fileExtension)
    }

    @Test(arguments: ["w1080.png", "W1080.jpg", "w1080", ".jpg", "w1080.jpg.jpg", "../w1080.jpg", "w10 80.jpg", "w1080.JPG", "aaaaaaaaaaaaaaaaa.jpg"])
    func everythingElseIsRefused(_ name: String) {
        #expect(OriginController.parseName(name) == nil)
    }
}
