"""Azure Communication Services: the connection string, request signing and the data plane."""
