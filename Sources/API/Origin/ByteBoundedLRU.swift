/// A map that keeps its most recently used entries while their total cost (bytes) stays within `capacity`:
/// inserting past it evicts the least recently used. O(1) per operation (a dictionary over a doubly linked list
/// kept in an array, so no node is a separate allocation).
struct ByteBoundedLRU<Key: Hashable, Value> {
    let capacity: Int
    private(set) var totalCost = 0
    private var slots: [Slot] = []
    private var freeSlots: [Int] = []
    private var index: [Key: Int] = [:]
    /// Most recently used; -1 when empty.
    private var head = -1
    /// Least recently used; -1 when empty.
    private var tail = -1

    private struct Slot {
        var key: Key
        var value: Value?
        var cost: Int
        var previous: Int
        var next: Int
    }

    init(capacity: Int) {
        precondition(capacity >= 0)
        self.capacity = capacity
    }

    var count: Int { index.count }

    /// The value, now the most recently used; nil when absent.
    mutating func value(for key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return slots[slot].value
    }

    /// Stores `value` as the most recently used and evicts from the other end until the total fits again.
    /// A value costing more than the whole capacity is not stored (it would evict everything, then itself).
    /// Returns how many entries were evicted to make room.
    @discardableResult
    mutating func insert(_ value: Value, cost: Int, for key: Key) -> Int {
        precondition(cost >= 0)
        remove(key)
        guard cost <= capacity else { return 0 }
        var evicted = 0
        while totalCost + cost > capacity, tail != -1 {
            remove(slots[tail].key)
            evicted += 1
        }
        let slot: Int
        let entry = Slot(key: key, value: value, cost: cost, previous: -1, next: head)
        if let reused = freeSlots.popLast() {
            slots[reused] = entry
            slot = reused
        } else {
            slots.append(entry)
            slot = slots.count - 1
        }
        if head != -1 { slots[head].previous = slot }
        head = slot
        if tail == -1 { tail = slot }
        index[key] = slot
        totalCost += cost
        return evicted
    }

    /// Removes the entry, if any.
    mutating func remove(_ key: Key) {
        guard let slot = index.removeValue(forKey: key) else { return }
        unlink(slot)
        totalCost -= slots[slot].cost
        // Drop the value now: a free slot must not keep megabytes alive until it is reused.
        slots[slot].value = nil
        freeSlots.append(slot)
    }

    /// Keys from the most to the least recently used (for tests and debugging).
    var keysByRecency: [Key] {
        var keys: [Key] = []
        var slot = head
        while slot != -1 {
            keys.append(slots[slot].key)
            slot = slots[slot].next
        }
        return keys
    }

    private mutating func moveToFront(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        slots[slot].previous = -1
        slots[slot].next = head
        if head != -1 { slots[head].previous = slot }
        head = slot
        if tail == -1 { tail = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let (previous, next) = (slots[slot].previous, slots[slot].next)
        if previous != -1 { slots[previous].next = next } else { head = next }
        if next != -1 { slots[next].previous = previous } else { tail = previous }
    }
}
