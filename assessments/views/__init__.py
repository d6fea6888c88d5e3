"""Views: `links` and `survey` for respondents (reached by token), `rounds` for organisation
leads."""
