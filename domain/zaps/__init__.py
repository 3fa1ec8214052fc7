"""Lightning addresses (LUD-06, LUD-16) and zaps (NIP-57), paid into the owner's own wallet."""
