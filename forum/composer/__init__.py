"""The composer's helpers (issue 15): live Markdown preview, server-side drafts, @mention
autocomplete and the edit history of a post. Tables use the app label "forum" (imported at the
end of forum/models.py); the pages are in views.py, wired in forum/urls.py."""
