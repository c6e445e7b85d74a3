"""newsclean flows: Prefect orchestration and the command line."""
