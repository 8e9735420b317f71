import Runtime
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Storage
import RedisClient

/// `darkroom jobs ...`: operator tools for the queue.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Inspect and manage the job queue.",
        subcommands: [DeadLetterCommand.self]
    )
}

/// `darkroom jobs dlq list|retry|drop --stage S [--id ID ... | --all]`.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, retry or drop jobs in a stage's dead-letter stream.",
        discussion: """
            list prints one JSON object per dead letter (id, original_id, reason, deliveries, failed_at, outbox_id, payload).
            retry puts jobs back on the stage stream (their delivery count starts again); drop deletes them.
            """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case list, retry, drop
    }

    @Argument(help: "list, retry or drop.")
    var action: Action

    @Option(name: .long, help: "The stage (e.g. feed, cleanup).")
    var stage: String

    @Option(name: .long, help: "A dead-letter entry id (repeatable); see list.")
    var id: [String] = []

    @Flag(name: .long, help: "Every dead letter of the stage.")
    var all = false

    @Option(name: .long, help: "list: at most this many.")
    var limit: Int = 100

    func validate() throws {
        guard !stage.isEmpty else { throw ValidationError("--stage is required") }
        if action != .list {
            guard all != !id.isEmpty else { throw ValidationError("\(action.rawValue) needs either --id ID (repeatable) or --all") }
        }
        guard limit >= 1 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let (_, logger, dependencies) = try ProcessSetup.start("darkroom.jobs")
        let dlq = DeadLetterQueue(redis: dependencies.redis, stream: JobStream(topic: OutboxTopic(rawValue: stage)))
        let failed = try await ProcessSetup.withRunning(dependencies, logger: logger) {
            do {
                try await perform(dlq)
                return false
            } catch {
                logger.error("dlq \(action.rawValue) failed", metadata: ["error": "\(String(reflecting: error))"])
                return true
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func perform(_ dlq: DeadLetterQueue) async throws {
        switch action {
        case .list:
            let letters = all ? try await dlq.all() : try await dlq.list(count: limit)
            for letter in letters { print(try Self.jsonLine(letter)) }
            FileHandle.standardError.write(Data("\(letters.count) dead letter(s) in \(dlq.stream.deadLetterKey)\n".utf8))
        case .retry:
            let ids = all ? try await dlq.all().map(\.id) : id
            let retried = try await dlq.retry(ids: ids)
            print("retried \(retried.count) of \(ids.count)")
        case .drop:
            let ids = all ? try await dlq.all().map(\.id) : id
            let dropped = try await dlq.drop(ids: ids)
            print("dropped \(dropped) of \(ids.count)")
        }
    }

    static func jsonLine(_ letter: DeadLetter) throws -> String {
        struct Line: Encodable {
            var id: String
            var original_id: String
            var reason: String
            var deliveries: Int
            var failed_at: String
            var outbox_id: Int64?
            var payload: String?
        }
        let payload = letter.jobFields.first { $0.name == "payload" }.map { String(decoding: $0.value, as: UTF8.self) }
        let line = Line(
            id: letter.id, original_id: letter.originalID, reason: letter.reason, deliveries: letter.deliveryCount,
            failed_at: ISO8601DateFormatter().string(from: letter.failedAt), outbox_id: letter.outboxID, payload: payload)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }
}
