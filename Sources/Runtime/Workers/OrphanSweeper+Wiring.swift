import Pipeline
import Storage

extension OrphanSweeper {
    /// The sweeper over the process's clients, with the configured grace; `darkroom sweep` and the workers share it.
    public init(dependencies: DarkroomDependencies, configuration: DarkroomConfiguration) {
        self.init(objectStore: dependencies.objectStore, media: MediaRepository(postgres: dependencies.postgres), grace: configuration.sweep.grace)
    }
}
