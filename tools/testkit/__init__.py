"""The harness the test suite and the benchmark share: a workspace with its own local
organisation, served organisations, fault convergence runs, hostile inputs, the secrets
journey. It lives beside both (not under tests/) so the benchmark never imports the tests."""
