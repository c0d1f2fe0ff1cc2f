"""The built-in processes' titles and labels of states, transitions, reminders.

Generated from selfwork/exchanges/processes/*.toml by ``selfwork process labels``;
do not edit by hand (a test fails when it differs from the files).
"""

# ruff: noqa: E501

from django.utils.translation import pgettext_lazy

LABELS = (
    pgettext_lazy(
        "process commission title",
        "Commission",
    ),
    pgettext_lazy(
        "process commission state",
        "Awaiting payment",
    ),
    pgettext_lazy(
        "process commission state",
        "Waiting for the host to confirm payment",
    ),
    pgettext_lazy(
        "process commission state",
        "In progress",
    ),
    pgettext_lazy(
        "process commission state",
        "Delivered",
    ),
    pgettext_lazy(
        "process commission state",
        "Disputed",
    ),
    pgettext_lazy(
        "process commission state",
        "Resolution proposed",
    ),
    pgettext_lazy(
        "process commission state",
        "Under review by staff",
    ),
    pgettext_lazy(
        "process commission state",
        "Completed",
    ),
    pgettext_lazy(
        "process commission state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process commission state",
        "Declined",
    ),
    pgettext_lazy(
        "process commission state",
        "Expired",
    ),
    pgettext_lazy(
        "process commission state",
        "Resolved",
    ),
    pgettext_lazy(
        "process commission transition",
        "Pay",
    ),
    pgettext_lazy(
        "process commission transition",
        "Cancel",
    ),
    pgettext_lazy(
        "process commission transition",
        "Expire",
    ),
    pgettext_lazy(
        "process commission transition",
        "Deliver",
    ),
    pgettext_lazy(
        "process commission transition",
        "Decline and refund",
    ),
    pgettext_lazy(
        "process commission transition",
        "Request changes",
    ),
    pgettext_lazy(
        "process commission transition",
        "Accept",
    ),
    pgettext_lazy(
        "process commission transition",
        "Accept automatically",
    ),
    pgettext_lazy(
        "process commission transition",
        "Accept milestone",
    ),
    pgettext_lazy(
        "process commission transition",
        "Accept milestone automatically",
    ),
    pgettext_lazy(
        "process commission transition",
        "Open a dispute",
    ),
    pgettext_lazy(
        "process commission transition",
        "Open a dispute as staff",
    ),
    pgettext_lazy(
        "process commission transition",
        "Resolve",
    ),
    pgettext_lazy(
        "process commission transition",
        "Ask staff to review",
    ),
    pgettext_lazy(
        "process commission transition",
        "Apply the resolution",
    ),
    pgettext_lazy(
        "process commission transition",
        "Decide as staff",
    ),
    pgettext_lazy(
        "process commission transition",
        "Payment confirmed",
    ),
    pgettext_lazy(
        "process commission transition",
        "Cancel the payment",
    ),
    pgettext_lazy(
        "process commission transition",
        "Payment never came",
    ),
    pgettext_lazy(
        "process commission transition",
        "Payment not received",
    ),
    pgettext_lazy(
        "process gift title",
        "Gift",
    ),
    pgettext_lazy(
        "process gift state",
        "Requested",
    ),
    pgettext_lazy(
        "process gift state",
        "Promised",
    ),
    pgettext_lazy(
        "process gift state",
        "Given",
    ),
    pgettext_lazy(
        "process gift state",
        "Not chosen",
    ),
    pgettext_lazy(
        "process gift state",
        "Not collected",
    ),
    pgettext_lazy(
        "process gift state",
        "Withdrawn",
    ),
    pgettext_lazy(
        "process gift state",
        "Declined",
    ),
    pgettext_lazy(
        "process gift state",
        "Expired",
    ),
    pgettext_lazy(
        "process gift transition",
        "Give it to them",
    ),
    pgettext_lazy(
        "process gift transition",
        "Decline",
    ),
    pgettext_lazy(
        "process gift transition",
        "Withdraw my request",
    ),
    pgettext_lazy(
        "process gift transition",
        "I no longer want it",
    ),
    pgettext_lazy(
        "process gift transition",
        "I have received it",
    ),
    pgettext_lazy(
        "process gift transition",
        "Not collected: reopen",
    ),
    pgettext_lazy(
        "process gift transition",
        "Given (a week after the promise)",
    ),
    pgettext_lazy(
        "process gift transition",
        "Given to someone else",
    ),
    pgettext_lazy(
        "process gift transition",
        "Expire",
    ),
    pgettext_lazy(
        "process lend title",
        "Loan",
    ),
    pgettext_lazy(
        "process lend state",
        "Requested",
    ),
    pgettext_lazy(
        "process lend state",
        "Booked",
    ),
    pgettext_lazy(
        "process lend state",
        "On loan",
    ),
    pgettext_lazy(
        "process lend state",
        "Returned",
    ),
    pgettext_lazy(
        "process lend state",
        "Completed",
    ),
    pgettext_lazy(
        "process lend state",
        "Declined",
    ),
    pgettext_lazy(
        "process lend state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process lend state",
        "Never handed over",
    ),
    pgettext_lazy(
        "process lend state",
        "Not returned",
    ),
    pgettext_lazy(
        "process lend transition",
        "Approve",
    ),
    pgettext_lazy(
        "process lend transition",
        "Decline",
    ),
    pgettext_lazy(
        "process lend transition",
        "Decline automatically",
    ),
    pgettext_lazy(
        "process lend transition",
        "Cancel",
    ),
    pgettext_lazy(
        "process lend transition",
        "Cancel the loan",
    ),
    pgettext_lazy(
        "process lend transition",
        "Close: never handed over",
    ),
    pgettext_lazy(
        "process lend transition",
        "Hand over",
    ),
    pgettext_lazy(
        "process lend transition",
        "Return",
    ),
    pgettext_lazy(
        "process lend transition",
        "Report it not returned",
    ),
    pgettext_lazy(
        "process lend transition",
        "Confirm the return",
    ),
    pgettext_lazy(
        "process lend transition",
        "Close automatically",
    ),
    pgettext_lazy(
        "process lend reminder",
        "Return due tomorrow",
    ),
    pgettext_lazy(
        "process lend reminder",
        "Return overdue",
    ),
    pgettext_lazy(
        "process purchase title",
        "Purchase",
    ),
    pgettext_lazy(
        "process purchase state",
        "Awaiting payment",
    ),
    pgettext_lazy(
        "process purchase state",
        "Waiting for the host to confirm payment",
    ),
    pgettext_lazy(
        "process purchase state",
        "Paid",
    ),
    pgettext_lazy(
        "process purchase state",
        "In production",
    ),
    pgettext_lazy(
        "process purchase state",
        "Shipped",
    ),
    pgettext_lazy(
        "process purchase state",
        "Disputed",
    ),
    pgettext_lazy(
        "process purchase state",
        "Resolution proposed",
    ),
    pgettext_lazy(
        "process purchase state",
        "Under review by staff",
    ),
    pgettext_lazy(
        "process purchase state",
        "Completed",
    ),
    pgettext_lazy(
        "process purchase state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process purchase state",
        "Expired",
    ),
    pgettext_lazy(
        "process purchase state",
        "Resolved",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Pay",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Cancel",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Expire",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Cancel and refund",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Start production",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Ship",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Confirm receipt",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Receive automatically",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Open a dispute",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Open a dispute as staff",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Resolve",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Ask staff to review",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Apply the resolution",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Decide as staff",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Payment confirmed",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Cancel the payment",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Payment never came",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Payment not received",
    ),
    pgettext_lazy(
        "process rental title",
        "Rental",
    ),
    pgettext_lazy(
        "process rental state",
        "Requested",
    ),
    pgettext_lazy(
        "process rental state",
        "Waiting for the host to confirm payment",
    ),
    pgettext_lazy(
        "process rental state",
        "Waiting for the owner",
    ),
    pgettext_lazy(
        "process rental state",
        "Booked",
    ),
    pgettext_lazy(
        "process rental state",
        "In use",
    ),
    pgettext_lazy(
        "process rental state",
        "Returned",
    ),
    pgettext_lazy(
        "process rental state",
        "Damage claimed",
    ),
    pgettext_lazy(
        "process rental state",
        "Disputed",
    ),
    pgettext_lazy(
        "process rental state",
        "Resolution proposed",
    ),
    pgettext_lazy(
        "process rental state",
        "Under review by staff",
    ),
    pgettext_lazy(
        "process rental state",
        "Completed",
    ),
    pgettext_lazy(
        "process rental state",
        "Declined",
    ),
    pgettext_lazy(
        "process rental state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process rental state",
        "Expired",
    ),
    pgettext_lazy(
        "process rental state",
        "Resolved",
    ),
    pgettext_lazy(
        "process rental transition",
        "Pay",
    ),
    pgettext_lazy(
        "process rental transition",
        "Booked instantly",
    ),
    pgettext_lazy(
        "process rental transition",
        "Expire",
    ),
    pgettext_lazy(
        "process rental transition",
        "Approve",
    ),
    pgettext_lazy(
        "process rental transition",
        "Decline",
    ),
    pgettext_lazy(
        "process rental transition",
        "Decline automatically",
    ),
    pgettext_lazy(
        "process rental transition",
        "Cancel",
    ),
    pgettext_lazy(
        "process rental transition",
        "Cancel the booking",
    ),
    pgettext_lazy(
        "process rental transition",
        "Cancel: never handed over",
    ),
    pgettext_lazy(
        "process rental transition",
        "Hand over",
    ),
    pgettext_lazy(
        "process rental transition",
        "Return",
    ),
    pgettext_lazy(
        "process rental transition",
        "Close",
    ),
    pgettext_lazy(
        "process rental transition",
        "Close automatically",
    ),
    pgettext_lazy(
        "process rental transition",
        "Claim for damage",
    ),
    pgettext_lazy(
        "process rental transition",
        "Accept the claim",
    ),
    pgettext_lazy(
        "process rental transition",
        "Accept the claim automatically",
    ),
    pgettext_lazy(
        "process rental transition",
        "Open a dispute",
    ),
    pgettext_lazy(
        "process rental transition",
        "Open a dispute as staff",
    ),
    pgettext_lazy(
        "process rental transition",
        "Resolve",
    ),
    pgettext_lazy(
        "process rental transition",
        "Ask staff to review",
    ),
    pgettext_lazy(
        "process rental transition",
        "Apply the resolution",
    ),
    pgettext_lazy(
        "process rental transition",
        "Decide as staff",
    ),
    pgettext_lazy(
        "process rental transition",
        "Payment confirmed",
    ),
    pgettext_lazy(
        "process rental transition",
        "Cancel the payment",
    ),
    pgettext_lazy(
        "process rental transition",
        "Payment never came",
    ),
    pgettext_lazy(
        "process rental transition",
        "Payment not received",
    ),
    pgettext_lazy(
        "process rental reminder",
        "Return due",
    ),
    pgettext_lazy(
        "process swap title",
        "Swap",
    ),
    pgettext_lazy(
        "process swap state",
        "Proposed",
    ),
    pgettext_lazy(
        "process swap state",
        "Agreed",
    ),
    pgettext_lazy(
        "process swap state",
        "Handing over",
    ),
    pgettext_lazy(
        "process swap state",
        "Swapped",
    ),
    pgettext_lazy(
        "process swap state",
        "Declined",
    ),
    pgettext_lazy(
        "process swap state",
        "Withdrawn",
    ),
    pgettext_lazy(
        "process swap state",
        "Called off",
    ),
    pgettext_lazy(
        "process swap state",
        "Expired",
    ),
    pgettext_lazy(
        "process swap transition",
        "Accept the swap",
    ),
    pgettext_lazy(
        "process swap transition",
        "Decline",
    ),
    pgettext_lazy(
        "process swap transition",
        "Withdraw",
    ),
    pgettext_lazy(
        "process swap transition",
        "I handed over my side",
    ),
    pgettext_lazy(
        "process swap transition",
        "Swapped",
    ),
    pgettext_lazy(
        "process swap transition",
        "Call the swap off",
    ),
    pgettext_lazy(
        "process swap transition",
        "Declined: swapped elsewhere",
    ),
    pgettext_lazy(
        "process swap transition",
        "Expire",
    ),
    pgettext_lazy(
        "process swap transition",
        "Lapse",
    ),
    pgettext_lazy(
        "process timebank title",
        "Time bank",
    ),
    pgettext_lazy(
        "process timebank state",
        "Requested",
    ),
    pgettext_lazy(
        "process timebank state",
        "Help offered",
    ),
    pgettext_lazy(
        "process timebank state",
        "Agreed",
    ),
    pgettext_lazy(
        "process timebank state",
        "Done, waiting for confirmation",
    ),
    pgettext_lazy(
        "process timebank state",
        "Completed",
    ),
    pgettext_lazy(
        "process timebank state",
        "Declined",
    ),
    pgettext_lazy(
        "process timebank state",
        "Withdrawn",
    ),
    pgettext_lazy(
        "process timebank state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process timebank state",
        "Expired",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Help offered",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Accept",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Decline",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Withdraw",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Expire",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Accept the offer",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Turn the offer down",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Withdraw the offer",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Offer lapses",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Adjust the hours",
    ),
    pgettext_lazy(
        "process timebank transition",
        "The work is done",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Confirm the work was done",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Confirmed automatically",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Call it off",
    ),
)
