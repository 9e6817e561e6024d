"""Version of the PMF engine, recorded in every result."""
ENGINE_VERSION = "lantian-pmf 0.1.0"
