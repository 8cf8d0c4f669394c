"""Who may do what in 名单: publicity, lists, imports, re-reviews and the cultivation pool."""
