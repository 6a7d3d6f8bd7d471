"""Staff members, roles, PINs, sign-in and auto-lock."""
