"""The web crawler: fetch pages politely (robots, retries, hosts), discover links, keep state."""
