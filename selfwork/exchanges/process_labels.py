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
        "process commission process description",
        "Custom work for one customer: a portrait, a book cover, a logo. The customer pays into escrow, the provider delivers, the customer asks for changes within the agreed revisions or accepts, and the provider is paid the same day. With milestones, each is paid and released in turn.",
    ),
    pgettext_lazy(
        "process commission state",
        "Awaiting payment",
    ),
    pgettext_lazy(
        "process commission state description",
        "The commission is agreed; the customer pays (the next milestone) into escrow.",
    ),
    pgettext_lazy(
        "process commission state",
        "Waiting for the host to confirm payment",
    ),
    pgettext_lazy(
        "process commission state description",
        "Paid by cash or transfer: a host of the community confirms the money arrived. Nothing is in escrow until then.",
    ),
    pgettext_lazy(
        "process commission state",
        "In progress",
    ),
    pgettext_lazy(
        "process commission state description",
        "Paid into escrow; the provider is working on it.",
    ),
    pgettext_lazy(
        "process commission state",
        "Delivered",
    ),
    pgettext_lazy(
        "process commission state description",
        "The provider delivered; the customer accepts or asks for changes.",
    ),
    pgettext_lazy(
        "process commission state",
        "Disputed",
    ),
    pgettext_lazy(
        "process commission state description",
        "A party opened a dispute; a host of the community (or staff) decides how escrow is split.",
    ),
    pgettext_lazy(
        "process commission state",
        "Resolution proposed",
    ),
    pgettext_lazy(
        "process commission state description",
        "A host decided how escrow is split, and why; either party may ask staff to review it within 7 days. The money stays in escrow until then.",
    ),
    pgettext_lazy(
        "process commission state",
        "Under review by staff",
    ),
    pgettext_lazy(
        "process commission state description",
        "A party asked the platform's staff to review the host's decision; the money stays in escrow until staff decide.",
    ),
    pgettext_lazy(
        "process commission state",
        "Completed",
    ),
    pgettext_lazy(
        "process commission state description",
        "Accepted: escrow was released to the provider, less the fee.",
    ),
    pgettext_lazy(
        "process commission state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process commission state description",
        "Cancelled while nothing was held in escrow; nothing more is charged.",
    ),
    pgettext_lazy(
        "process commission state",
        "Declined",
    ),
    pgettext_lazy(
        "process commission state description",
        "The provider declined after payment; the customer was refunded in full.",
    ),
    pgettext_lazy(
        "process commission state",
        "Expired",
    ),
    pgettext_lazy(
        "process commission state description",
        "Not paid within 7 days; nothing more is charged.",
    ),
    pgettext_lazy(
        "process commission state",
        "Resolved",
    ),
    pgettext_lazy(
        "process commission state description",
        "The dispute was decided: part refunded, the rest released.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Pay",
    ),
    pgettext_lazy(
        "process commission transition description",
        "Pay the total (or the current milestone) into escrow by card.",
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
        "process commission transition description",
        "Hand over the work: files and a note.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Decline and refund",
    ),
    pgettext_lazy(
        "process commission transition description",
        "Give the work back: the customer is refunded in full.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Request changes",
    ),
    pgettext_lazy(
        "process commission transition description",
        "Ask for changes; uses one of the agreed revisions.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Accept",
    ),
    pgettext_lazy(
        "process commission transition description",
        "Accept the work: escrow is released to the provider, less the fee.",
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
        "process commission transition description",
        "Accept this milestone: it is released, and the next one is due.",
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
        "process commission transition description",
        "Stop the clock and ask a host of the community to decide.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Open a dispute as staff",
    ),
    pgettext_lazy(
        "process commission transition description",
        "The platform's staff step in on a stalled exchange; a host of the community then decides, as in any dispute.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Resolve",
    ),
    pgettext_lazy(
        "process commission transition description",
        "Decide how escrow is split: the refund percentage goes back to the customer, the rest to the provider. Say why: both parties are told, and either may ask staff to review it within 7 days.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Ask staff to review",
    ),
    pgettext_lazy(
        "process commission transition description",
        "Ask the platform's staff to review the host's decision; the money stays in escrow until they decide.",
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
        "process commission transition description",
        "Decide the dispute for good: the refund percentage goes back to the customer, the rest to the provider. Say why.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Payment confirmed",
    ),
    pgettext_lazy(
        "process commission transition description",
        "A host confirmed the money arrived: it is in escrow.",
    ),
    pgettext_lazy(
        "process commission transition",
        "Cancel the payment",
    ),
    pgettext_lazy(
        "process commission transition description",
        "The money did not come, or is being sent back: the exchange is cancelled, and anything that arrived meanwhile is refunded.",
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
        "process commission transition description",
        "A host marked the payment as never received: the exchange is cancelled.",
    ),
    pgettext_lazy(
        "process gift title",
        "Gift",
    ),
    pgettext_lazy(
        "process gift process description",
        "Give a thing away: members ask for it with a message; the giver chooses one, and the gift is promised to them until they confirm they have it (or a week passes). The giver may reopen a promise that was not collected.",
    ),
    pgettext_lazy(
        "process gift state",
        "Requested",
    ),
    pgettext_lazy(
        "process gift state description",
        "Asked for, with a message; the giver chooses whom to give it to within 30 days.",
    ),
    pgettext_lazy(
        "process gift state",
        "Promised",
    ),
    pgettext_lazy(
        "process gift state description",
        "The giver chose this request: the receiver collects the gift and confirms it, or it completes a week after the promise.",
    ),
    pgettext_lazy(
        "process gift state",
        "Given",
    ),
    pgettext_lazy(
        "process gift state description",
        "The gift changed hands; the listing is marked given.",
    ),
    pgettext_lazy(
        "process gift state",
        "Not chosen",
    ),
    pgettext_lazy(
        "process gift state description",
        "The gift was promised to someone else.",
    ),
    pgettext_lazy(
        "process gift state",
        "Not collected",
    ),
    pgettext_lazy(
        "process gift state description",
        "The giver reopened the promise: the gift was not collected, and is available again.",
    ),
    pgettext_lazy(
        "process gift state",
        "Withdrawn",
    ),
    pgettext_lazy(
        "process gift state description",
        "The requester no longer wants the gift.",
    ),
    pgettext_lazy(
        "process gift state",
        "Declined",
    ),
    pgettext_lazy(
        "process gift state description",
        "The giver declined this request.",
    ),
    pgettext_lazy(
        "process gift state",
        "Expired",
    ),
    pgettext_lazy(
        "process gift state description",
        "The giver did not choose in 30 days.",
    ),
    pgettext_lazy(
        "process gift transition",
        "Give it to them",
    ),
    pgettext_lazy(
        "process gift transition description",
        "Promise the gift to this requester; the other requests end as not chosen.",
    ),
    pgettext_lazy(
        "process gift transition",
        "Decline",
    ),
    pgettext_lazy(
        "process gift transition description",
        "Turn this request down.",
    ),
    pgettext_lazy(
        "process gift transition",
        "Withdraw my request",
    ),
    pgettext_lazy(
        "process gift transition description",
        "You no longer want it; a promised gift is available again.",
    ),
    pgettext_lazy(
        "process gift transition",
        "I no longer want it",
    ),
    pgettext_lazy(
        "process gift transition description",
        "Hand the promise back: the gift is available again.",
    ),
    pgettext_lazy(
        "process gift transition",
        "I have received it",
    ),
    pgettext_lazy(
        "process gift transition description",
        "Confirm you have the gift: it is marked given.",
    ),
    pgettext_lazy(
        "process gift transition",
        "Not collected: reopen",
    ),
    pgettext_lazy(
        "process gift transition description",
        "The gift was not collected: end this promise and make it available again.",
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
        "process gift transition description",
        "The gift was promised to another requester.",
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
        "process lend process description",
        "Borrow a thing for a period, free or for time credits: the owner approves, hands it over and takes it back. Two days after the return the loan closes by itself, unless the owner confirmed the return before.",
    ),
    pgettext_lazy(
        "process lend state",
        "Requested",
    ),
    pgettext_lazy(
        "process lend state description",
        "The period is held on the calendar; the owner approves or declines within 48 hours.",
    ),
    pgettext_lazy(
        "process lend state",
        "Booked",
    ),
    pgettext_lazy(
        "process lend state description",
        "Approved; the owner hands the item over when the period starts.",
    ),
    pgettext_lazy(
        "process lend state",
        "On loan",
    ),
    pgettext_lazy(
        "process lend state description",
        "Handed over; the borrower returns it by the end of the period.",
    ),
    pgettext_lazy(
        "process lend state",
        "Returned",
    ),
    pgettext_lazy(
        "process lend state description",
        "Back with its owner; the owner confirms the return, or it closes itself after 48 hours.",
    ),
    pgettext_lazy(
        "process lend state",
        "Completed",
    ),
    pgettext_lazy(
        "process lend state description",
        "Returned and closed; any hours the loan costs moved to the owner.",
    ),
    pgettext_lazy(
        "process lend state",
        "Declined",
    ),
    pgettext_lazy(
        "process lend state description",
        "The owner declined, or did not answer in time; the period was freed.",
    ),
    pgettext_lazy(
        "process lend state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process lend state description",
        "Called off before the handover; the period was freed.",
    ),
    pgettext_lazy(
        "process lend state",
        "Never handed over",
    ),
    pgettext_lazy(
        "process lend state description",
        "The period ended without a handover; it was freed.",
    ),
    pgettext_lazy(
        "process lend state",
        "Not returned",
    ),
    pgettext_lazy(
        "process lend state description",
        "The owner or a host recorded that the item did not come back; no hours moved.",
    ),
    pgettext_lazy(
        "process lend transition",
        "Approve",
    ),
    pgettext_lazy(
        "process lend transition description",
        "Lend the item for this period.",
    ),
    pgettext_lazy(
        "process lend transition",
        "Decline",
    ),
    pgettext_lazy(
        "process lend transition description",
        "Turn the request down; the period is freed.",
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
        "process lend transition description",
        "Call the loan off before the handover; the period is freed.",
    ),
    pgettext_lazy(
        "process lend transition",
        "Cancel the loan",
    ),
    pgettext_lazy(
        "process lend transition description",
        "Call the loan off as the owner, saying why; the period is freed.",
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
        "process lend transition description",
        "Give the item to the borrower; photos of its condition help both of you.",
    ),
    pgettext_lazy(
        "process lend transition",
        "Return",
    ),
    pgettext_lazy(
        "process lend transition description",
        "The item is back with its owner; photos of its condition help both of you.",
    ),
    pgettext_lazy(
        "process lend transition",
        "Report it not returned",
    ),
    pgettext_lazy(
        "process lend transition description",
        "Record that the item did not come back, saying what happened; the loan ends and no hours move.",
    ),
    pgettext_lazy(
        "process lend transition",
        "Confirm the return",
    ),
    pgettext_lazy(
        "process lend transition description",
        "All is well: the loan closes, and any hours it costs move to you.",
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
        "process lend reminder description",
        "The loan ends tomorrow: please arrange the return with the owner.",
    ),
    pgettext_lazy(
        "process lend reminder",
        "Return overdue",
    ),
    pgettext_lazy(
        "process lend reminder description",
        "The loan period has ended: please return the item (or agree a later return with its owner).",
    ),
    pgettext_lazy(
        "process purchase title",
        "Purchase",
    ),
    pgettext_lazy(
        "process purchase process description",
        "A made-to-order product: the customer pays (options and personalisation are line items), the maker starts production, ships with a tracking note, and is paid when the customer confirms receipt, or 14 days after shipping.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Awaiting payment",
    ),
    pgettext_lazy(
        "process purchase state description",
        "Ordered; the customer pays into escrow.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Waiting for the host to confirm payment",
    ),
    pgettext_lazy(
        "process purchase state description",
        "Paid by cash or transfer: a host of the community confirms the money arrived. Nothing is in escrow until then.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Paid",
    ),
    pgettext_lazy(
        "process purchase state description",
        "Paid into escrow; the maker has not started yet, so either side may still cancel.",
    ),
    pgettext_lazy(
        "process purchase state",
        "In production",
    ),
    pgettext_lazy(
        "process purchase state description",
        "The maker is making it.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Shipped",
    ),
    pgettext_lazy(
        "process purchase state description",
        "On its way; the customer confirms receipt.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Disputed",
    ),
    pgettext_lazy(
        "process purchase state description",
        "A party opened a dispute; a host of the community (or staff) decides how escrow is split.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Resolution proposed",
    ),
    pgettext_lazy(
        "process purchase state description",
        "A host decided how escrow is split, and why; either party may ask staff to review it within 7 days. The money stays in escrow until then.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Under review by staff",
    ),
    pgettext_lazy(
        "process purchase state description",
        "A party asked the platform's staff to review the host's decision; the money stays in escrow until staff decide.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Completed",
    ),
    pgettext_lazy(
        "process purchase state description",
        "Received: escrow was released to the maker, less the fee.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process purchase state description",
        "Cancelled; anything paid was refunded in full.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Expired",
    ),
    pgettext_lazy(
        "process purchase state description",
        "Not paid within 7 days; nothing was charged.",
    ),
    pgettext_lazy(
        "process purchase state",
        "Resolved",
    ),
    pgettext_lazy(
        "process purchase state description",
        "The dispute was decided: part refunded, the rest released.",
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
        "process purchase transition description",
        "Cancel the order before paying.",
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
        "process purchase transition description",
        "Cancel before production starts: the customer is refunded in full.",
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
        "process purchase transition description",
        "Send it, with a tracking note.",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Confirm receipt",
    ),
    pgettext_lazy(
        "process purchase transition description",
        "It arrived: escrow is released to the maker, less the fee.",
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
        "process purchase transition description",
        "Stop the clock and ask a host of the community to decide.",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Open a dispute as staff",
    ),
    pgettext_lazy(
        "process purchase transition description",
        "The platform's staff step in on a stalled exchange; a host of the community then decides, as in any dispute.",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Resolve",
    ),
    pgettext_lazy(
        "process purchase transition description",
        "Decide how escrow is split: the refund percentage goes back to the customer, the rest to the maker. Say why: both parties are told, and either may ask staff to review it within 7 days.",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Ask staff to review",
    ),
    pgettext_lazy(
        "process purchase transition description",
        "Ask the platform's staff to review the host's decision; the money stays in escrow until they decide.",
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
        "process purchase transition description",
        "Decide the dispute for good: the refund percentage goes back to the customer, the rest to the maker. Say why.",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Payment confirmed",
    ),
    pgettext_lazy(
        "process purchase transition description",
        "A host confirmed the money arrived: it is in escrow.",
    ),
    pgettext_lazy(
        "process purchase transition",
        "Cancel the payment",
    ),
    pgettext_lazy(
        "process purchase transition description",
        "The money did not come, or is being sent back: the exchange is cancelled, and anything that arrived meanwhile is refunded.",
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
        "process purchase transition description",
        "A host marked the payment as never received: the exchange is cancelled.",
    ),
    pgettext_lazy(
        "process rental title",
        "Rental",
    ),
    pgettext_lazy(
        "process rental process description",
        "Rent a thing for a period: the customer pays the rent into escrow and a deposit is held on their card; the owner approves (or the listing takes instant bookings), hands it over and takes it back. Two days after the return the rent is released and the deposit voided, unless the owner claims for damage.",
    ),
    pgettext_lazy(
        "process rental state",
        "Requested",
    ),
    pgettext_lazy(
        "process rental state description",
        "The period is held on the calendar; the customer pays the rent and the deposit.",
    ),
    pgettext_lazy(
        "process rental state",
        "Waiting for the host to confirm payment",
    ),
    pgettext_lazy(
        "process rental state description",
        "Paid by cash or transfer: a host of the community confirms the money arrived. Nothing is in escrow and no deposit is held until then.",
    ),
    pgettext_lazy(
        "process rental state",
        "Waiting for the owner",
    ),
    pgettext_lazy(
        "process rental state description",
        "Paid; the owner approves or declines within 24 hours.",
    ),
    pgettext_lazy(
        "process rental state",
        "Booked",
    ),
    pgettext_lazy(
        "process rental state description",
        "Approved; the owner hands the item over when the period starts.",
    ),
    pgettext_lazy(
        "process rental state",
        "In use",
    ),
    pgettext_lazy(
        "process rental state description",
        "Handed over; the customer returns it by the end of the period.",
    ),
    pgettext_lazy(
        "process rental state",
        "Returned",
    ),
    pgettext_lazy(
        "process rental state description",
        "Returned; the owner closes it, or claims for damage within 48 hours.",
    ),
    pgettext_lazy(
        "process rental state",
        "Damage claimed",
    ),
    pgettext_lazy(
        "process rental state description",
        "The owner claims part of the deposit; the customer accepts or disputes within 72 hours.",
    ),
    pgettext_lazy(
        "process rental state",
        "Disputed",
    ),
    pgettext_lazy(
        "process rental state description",
        "A host of the community (or staff) decides what the owner is awarded.",
    ),
    pgettext_lazy(
        "process rental state",
        "Resolution proposed",
    ),
    pgettext_lazy(
        "process rental state description",
        "A host decided, and why; either party may ask staff to review it within 7 days. The money stays where it is until then.",
    ),
    pgettext_lazy(
        "process rental state",
        "Under review by staff",
    ),
    pgettext_lazy(
        "process rental state description",
        "A party asked the platform's staff to review the host's decision.",
    ),
    pgettext_lazy(
        "process rental state",
        "Completed",
    ),
    pgettext_lazy(
        "process rental state description",
        "Closed: the rent was released to the owner, the deposit voided or claimed.",
    ),
    pgettext_lazy(
        "process rental state",
        "Declined",
    ),
    pgettext_lazy(
        "process rental state description",
        "The owner declined, or did not answer in 24 hours: the rent was refunded and the deposit voided.",
    ),
    pgettext_lazy(
        "process rental state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process rental state description",
        "Cancelled before the start: refunded by the cancellation policy; the deposit voided.",
    ),
    pgettext_lazy(
        "process rental state",
        "Expired",
    ),
    pgettext_lazy(
        "process rental state description",
        "Not paid in time; the period was freed.",
    ),
    pgettext_lazy(
        "process rental state",
        "Resolved",
    ),
    pgettext_lazy(
        "process rental state description",
        "The dispute was decided: the rent released, the deposit awarded in part or voided.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Pay",
    ),
    pgettext_lazy(
        "process rental transition description",
        "Pay the rent into escrow; the deposit is held on the same card.",
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
        "process rental transition description",
        "Accept the booking.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Decline",
    ),
    pgettext_lazy(
        "process rental transition description",
        "Turn the booking down: the rent is refunded and the deposit voided.",
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
        "process rental transition description",
        "Cancel before the start: the rent is refunded by the cancellation policy and the deposit voided.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Cancel the booking",
    ),
    pgettext_lazy(
        "process rental transition description",
        "Cancel as the owner: the customer is refunded in full.",
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
        "process rental transition description",
        "Give the item to the customer; photos of its condition help both of you.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Return",
    ),
    pgettext_lazy(
        "process rental transition description",
        "The item is back with its owner; photos of its condition help both of you.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Close",
    ),
    pgettext_lazy(
        "process rental transition description",
        "All is well: the rent is released to you and the deposit voided.",
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
        "process rental transition description",
        "Claim part of the deposit (at most all of it), saying what happened, within 48 hours of the return.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Accept the claim",
    ),
    pgettext_lazy(
        "process rental transition description",
        "The claimed part of the deposit goes to the owner; the rest is voided.",
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
        "process rental transition description",
        "Ask a host of the community to decide: a claim you disagree with, or an item not returned.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Open a dispute as staff",
    ),
    pgettext_lazy(
        "process rental transition description",
        "The platform's staff step in on a stalled rental; a host then decides.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Resolve",
    ),
    pgettext_lazy(
        "process rental transition description",
        "Decide what the owner is awarded of the deposit (leave it out for nothing) and say why; the rent goes to the owner. Either party may ask staff to review it within 7 days.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Ask staff to review",
    ),
    pgettext_lazy(
        "process rental transition description",
        "Ask the platform's staff to review the host's decision.",
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
        "process rental transition description",
        "Decide for good what the owner is awarded of the deposit, and why.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Payment confirmed",
    ),
    pgettext_lazy(
        "process rental transition description",
        "A host confirmed the money arrived: it is in escrow.",
    ),
    pgettext_lazy(
        "process rental transition",
        "Cancel the payment",
    ),
    pgettext_lazy(
        "process rental transition description",
        "The money did not come, or is being sent back: the exchange is cancelled, and anything that arrived meanwhile is refunded.",
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
        "process rental transition description",
        "A host marked the payment as never received: the exchange is cancelled.",
    ),
    pgettext_lazy(
        "process rental reminder",
        "Return due",
    ),
    pgettext_lazy(
        "process rental reminder description",
        "The rental period has ended: please return the item (or agree a later return with its owner).",
    ),
    pgettext_lazy(
        "process swap title",
        "Swap",
    ),
    pgettext_lazy(
        "process swap process description",
        "Swap one thing for another: propose one of your listings in return for someone's; they accept or decline; then each of you confirms handing over your side, and the swap completes when both have.",
    ),
    pgettext_lazy(
        "process swap state",
        "Proposed",
    ),
    pgettext_lazy(
        "process swap state description",
        "The proposer offers one of their listings in return; the owner accepts or declines within 14 days.",
    ),
    pgettext_lazy(
        "process swap state",
        "Agreed",
    ),
    pgettext_lazy(
        "process swap state description",
        "Both agree to swap; each confirms once they have handed over their side.",
    ),
    pgettext_lazy(
        "process swap state",
        "Handing over",
    ),
    pgettext_lazy(
        "process swap state description",
        "One side is confirmed handed over; the swap completes when the other is too.",
    ),
    pgettext_lazy(
        "process swap state",
        "Swapped",
    ),
    pgettext_lazy(
        "process swap state description",
        "Both sides were handed over: both listings are marked swapped.",
    ),
    pgettext_lazy(
        "process swap state",
        "Declined",
    ),
    pgettext_lazy(
        "process swap state description",
        "The owner declined, or one of the listings was swapped, given or promised in another exchange.",
    ),
    pgettext_lazy(
        "process swap state",
        "Withdrawn",
    ),
    pgettext_lazy(
        "process swap state description",
        "The proposer withdrew the proposal.",
    ),
    pgettext_lazy(
        "process swap state",
        "Called off",
    ),
    pgettext_lazy(
        "process swap state description",
        "A party (or a host) called the agreed swap off before both sides were handed over.",
    ),
    pgettext_lazy(
        "process swap state",
        "Expired",
    ),
    pgettext_lazy(
        "process swap state description",
        "Nobody answered the proposal in 14 days, or the agreed swap was not handed over in 30 days.",
    ),
    pgettext_lazy(
        "process swap transition",
        "Accept the swap",
    ),
    pgettext_lazy(
        "process swap transition description",
        "Agree to swap; then meet and hand the things over.",
    ),
    pgettext_lazy(
        "process swap transition",
        "Decline",
    ),
    pgettext_lazy(
        "process swap transition description",
        "Turn the proposal down.",
    ),
    pgettext_lazy(
        "process swap transition",
        "Withdraw",
    ),
    pgettext_lazy(
        "process swap transition description",
        "Take your proposal back.",
    ),
    pgettext_lazy(
        "process swap transition",
        "I handed over my side",
    ),
    pgettext_lazy(
        "process swap transition description",
        "Confirm that you handed over your side; the swap completes when the other party confirms theirs.",
    ),
    pgettext_lazy(
        "process swap transition",
        "Swapped",
    ),
    pgettext_lazy(
        "process swap transition description",
        "Both sides are handed over: both listings are marked swapped.",
    ),
    pgettext_lazy(
        "process swap transition",
        "Call the swap off",
    ),
    pgettext_lazy(
        "process swap transition description",
        "End the agreed swap before both sides are handed over.",
    ),
    pgettext_lazy(
        "process swap transition",
        "Declined: swapped elsewhere",
    ),
    pgettext_lazy(
        "process swap transition description",
        "One of the listings was swapped, given or promised in another exchange.",
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
        "process timebank process description",
        "Exchange time for time credits: the member who is helped gives the hours when they confirm the work was done; the helper accepts first and may adjust the hours before then. A request for help is answered by the helper, and the member who asked accepts the offer.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Requested",
    ),
    pgettext_lazy(
        "process timebank state description",
        "The member asked for the helper's time; the helper accepts or declines within 7 days.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Help offered",
    ),
    pgettext_lazy(
        "process timebank state description",
        "The helper answered a request for help; the member who asked accepts or turns the offer down within 7 days.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Agreed",
    ),
    pgettext_lazy(
        "process timebank state description",
        "Both agree; the helper does the work and may adjust the hours until the member confirms it was done.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Done, waiting for confirmation",
    ),
    pgettext_lazy(
        "process timebank state description",
        "The helper says the work was done; the member confirms, or it is confirmed after 7 days.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Completed",
    ),
    pgettext_lazy(
        "process timebank state description",
        "The work was done and the hours moved to the helper.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Declined",
    ),
    pgettext_lazy(
        "process timebank state description",
        "Turned down; no hours moved.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Withdrawn",
    ),
    pgettext_lazy(
        "process timebank state description",
        "Withdrawn before it was agreed; no hours moved.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Cancelled",
    ),
    pgettext_lazy(
        "process timebank state description",
        "Called off after it was agreed; no hours moved.",
    ),
    pgettext_lazy(
        "process timebank state",
        "Expired",
    ),
    pgettext_lazy(
        "process timebank state description",
        "Not answered within 7 days; no hours moved.",
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
        "process timebank transition description",
        "Agree to give your time; you may set the hours it will take.",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Decline",
    ),
    pgettext_lazy(
        "process timebank transition description",
        "Turn the request down.",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Withdraw",
    ),
    pgettext_lazy(
        "process timebank transition description",
        "Take your request back before it is accepted.",
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
        "process timebank transition description",
        "Accept this member's help; you give the hours once the work is done.",
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
        "process timebank transition description",
        "Change the hours the work takes, before it is confirmed.",
    ),
    pgettext_lazy(
        "process timebank transition",
        "The work is done",
    ),
    pgettext_lazy(
        "process timebank transition description",
        "Tell the member the work was done; they confirm and give the hours.",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Confirm the work was done",
    ),
    pgettext_lazy(
        "process timebank transition description",
        "The hours move from you to the helper.",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Confirmed automatically",
    ),
    pgettext_lazy(
        "process timebank transition",
        "Call it off",
    ),
    pgettext_lazy(
        "process timebank transition description",
        "Call the exchange off; no hours move.",
    ),
)
