@testable import API
import NIOCore
import Testing

@Suite struct ByteBoundedLRUTests {
    @Test func evictsTheLeastRecentlyUsedUntilTheCostFits() {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        #expect(lru.insert(1, cost: 40, for: "a") == 0)
        #expect(lru.insert(2, cost: 40, for: "b") == 0)
        #expect(lru.value(for: "a") == 1)  // a is now the most recent
        #expect(lru.insert(3, cost: 40, for: "c") == 1)
        #expect(lru.value(for: "b") == nil)
        #expect(lru.keysByRecency == ["c", "a"])
        #expect(lru.totalCost == 80)
        #expect(lru.insert(4, cost: 100, for: "d") == 2)
        #expect(lru.keysByRecency == ["d"] && lru.totalCost == 100)
    }

    @Test(arguments: [0, 1, 50])
    func replacingAKeyRecountsItsCost(_ newCost: Int) {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        lru.insert(1, cost: 60, for: "a")
        lru.insert(2, cost: 10, for: "b")
        lru.insert(3, cost: newCost, for: "a")
        #expect(lru.totalCost == 10 + newCost)
        #expect(lru.value(for: "a") == 3)
        #expect(lru.count == 2)
    }

    @Test func aValueLargerThanTheCapacityIsNotStoredAndEvictsNothing() {
        var lru = ByteBoundedLRU<String, Int>(capacity: 100)
        lru.insert(1, cost: 50, for: "a")
        #expect(lru.insert(2, cost: 101, for: "big") == 0)
        #expect(lru.value(for: "big") == nil)
        #expect(lru.keysByRecency == ["a"])
    }

    @Test func removeFreesTheCostAndSlotsAreReused() {
        var lru = ByteBoundedLRU<Int, Int>(capacity: 10)
        for round in 0..<100 {
            lru.insert(round, cost: 3, for: round)
            if round % 2 == 0 { lru.remove(round) }
        }
        #expect(lru.totalCost <= 10)
        #expect(lru.keysByRecency == [99, 97, 95])
        lru.remove(97)
        #expect(lru.keysByRecency == [99, 95] && lru.totalCost == 6)
    }
}

@Suite struct RenditionCacheTests {
    @Test func countsHitsMissesAndEvictionsAndKeepsBigObjectsOut() {
        let metrics = DarkroomMetrics()
        let cache = RenditionCache(capacityBytes: 800, factory: metrics.factory)
        #expect(cache.bytes(for: "a") == nil)
        cache.insert(ByteBuffer(repeating: 1, count: 100), for: "a")
        cache.insert(ByteBuffer(repeating: 2, count: 101), for: "too-big")  // over an eighth of 800
        #expect(cache.bytes(for: "a")?.readableBytes == 100)
        #expect(cache.bytes(for: "too-big") == nil)
        for key in 0..<8 { cache.insert(ByteBuffer(repeating: 3, count: 100), for: "k\(key)") }
        #expect(cache.totalBytes == 800)
        cache.remove(["k7"])
        #expect(cache.totalBytes == 700)
        let exposition = metrics.render()
        #expect(exposition.contains("darkroom_origin_cache_hits_total 1"))
        #expect(exposition.contains("darkroom_origin_cache_misses_total 2"))
        #expect(exposition.contains("darkroom_origin_cache_evictions_total 1"))
        #expect(exposition.contains("darkroom_origin_cache_bytes 700"))
    }

    @Test func capacityZeroKeepsNothing() {
        let cache = RenditionCache(capacityBytes: 0, factory: DarkroomMetrics().factory)
        cache.insert(ByteBuffer(repeating: 1, count: 1), for: "a")
        #expect(cache.bytes(for: "a") == nil)
    }
}
