// The composition root: plugs the payment providers and the engine's listeners into the engine.
// Every entry point imports it once (the Remix server entry, the worker's job registry, the CLI, the
// test setup), so that the engine never imports the modules that depend on it.
export {};
