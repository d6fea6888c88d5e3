"""Forms: `survey` for respondents, `rounds` for organisation leads, as in the views."""
