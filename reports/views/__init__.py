"""Views: `report` for a round's report and its downloads, `comments` for screening what staff
wrote, `respondent` for the respondent's own confirmation page."""
