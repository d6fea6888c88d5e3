from assessments.comparison import MIN_PEERS
from assessments.models import MIN_ANONYMITY_THRESHOLD, Round
from assessments.outreach import KEEP_ADDRESSES_DAYS


def anonymity(request):
    """The anonymity and privacy rules' numbers, for every page that states them (privacy,
    reports)."""
    return {
        "min_peers": MIN_PEERS,
        "min_anonymity_threshold": MIN_ANONYMITY_THRESHOLD,
        "default_anonymity_threshold": Round._meta.get_field("anonymity_threshold").default,
        "keep_addresses_days": KEEP_ADDRESSES_DAYS,
    }
