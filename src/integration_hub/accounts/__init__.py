"""Hub users and the API tokens they call the hub with."""
