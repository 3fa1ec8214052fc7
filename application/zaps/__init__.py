"""Lightning addresses and zaps paid into the owner's own wallet (LUD-06, LUD-16, LUD-21, NIP-57, NIP-47)."""
