"""Nostr Wallet Connect (NIP-47): the owner's own wallet behind the WalletConnection port."""
