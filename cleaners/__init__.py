"""newsclean cleaners: pure text cleaners, language, dedup and I/O. No Prefect in here."""
