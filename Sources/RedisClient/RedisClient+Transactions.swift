extension RedisReply {
    /// The EXEC array out of the replies to a pipelined `MULTI, commands..., EXEC`.
    ///
    /// When Redis refused to queue a command, EXEC answers EXECABORT: that throws `.commandFailed`
    /// carrying the queueing error. Errors raised while the transaction ran are values in the array.
    public static func transactionResult(_ replies: [RedisReply]) throws(RedisError) -> [RedisReply] {
        guard replies.count >= 2, let exec = replies.last else {
            throw RedisError(.protocolError, "a transaction needs MULTI and EXEC replies, got \(replies.count)")
        }
        try replies[0].throwingError()
        if exec.errorMessage != nil {
            let queueError = replies.dropFirst().dropLast().first { $0.errorMessage != nil }
            let detail = queueError?.errorMessage.map { "; queueing failed: \($0)" } ?? ""
            throw RedisError(.commandFailed, "Redis aborted the transaction: \(exec.errorMessage ?? "")\(detail)", serverCode: exec.errorPrefix)
        }
        if exec.isNull {
            // Only WATCH makes EXEC answer null, and nothing here issues WATCH; report it rather than guess.
            throw RedisError(.conflict, "Redis discarded the transaction (EXEC returned null)")
        }
        return try exec.elements()
    }
}

extension RedisClient {
    /// Runs `commands` as one MULTI/EXEC transaction in a single round trip and returns the EXEC array,
    /// one reply per command; error replies inside it are values.
    public func transaction(_ commands: [RedisCommand]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        let replies = try await pipeline([RedisCommand("MULTI")] + commands + [RedisCommand("EXEC")])
        return try RedisReply.transactionResult(replies)
    }
}
