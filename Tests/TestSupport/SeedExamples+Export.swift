// Every test that uses TestSupport sees the seed's documents without importing them itself.
@_exported import SeedExamples
