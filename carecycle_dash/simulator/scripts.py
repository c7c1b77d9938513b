"""What the demo calls say: transcripts and summaries of scheduling, reminder, verification and insurance
calls, written so that a person reading the dashboard believes them. Every name and number is fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

Turn = tuple[str, str]

FIRST_NAMES = (
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Barbara",
    "William",
    "Elizabeth",
    "David",
    "Jennifer",
    "Richard",
    "Susan",
    "Joseph",
    "Dorothy",
    "Thomas",
    "Margaret",
    "Charles",
    "Nancy",
    "Daniel",
    "Karen",
    "Luis",
    "Rosa",
    "Wei",
    "Mei",
    "Aisha",
    "Omar",
    "Fatima",
    "Dmitri",
    "Olga",
    "Kwame",
    "Ama",
    "Priya",
    "Raj",
    "Hiroshi",
    "Yuki",
    "Carmen",
    "Jorge",
    "Gloria",
    "Frank",
    "Shirley",
    "Harold",
    "Betty",
    "Walter",
    "Joan",
    "Eugene",
    "Ruth",
    "Arthur",
    "Evelyn",
    "Nguyen",
    "Thanh",
    "Sofia",
    "Mateo",
    "Grace",
)
LAST_NAMES = (
    "Lopez",
    "Johnson",
    "Nguyen",
    "Patel",
    "Okafor",
    "Williams",
    "Brown",
    "Garcia",
    "Kowalski",
    "Chen",
    "Rodriguez",
    "Hernandez",
    "Kim",
    "Thompson",
    "Ivanova",
    "Mensah",
    "Sato",
    "Rivera",
    "O'Brien",
    "Murphy",
    "Haddad",
    "Schmidt",
    "Novak",
    "Fischer",
    "Dubois",
    "Rossi",
    "Silva",
    "Cohen",
    "Friedman",
    "Jackson",
    "Washington",
    "Martinez",
    "Tran",
    "Singh",
    "Ali",
    "Gonzalez",
    "Baker",
    "Hughes",
    "Price",
    "Bennett",
)
AGENT_NAMES = ("Ava", "Olivia", "Sam", "Riley", "Jordan", "Nora", "Leo")
COMPLAINTS = (
    "a cough that won't go away",
    "some pain in my lower back",
    "headaches for about a week",
    "trouble sleeping",
    "a rash on my arm",
    "dizziness when I stand up",
    "knee pain that keeps coming back",
)
PROCEDURES = ("an MRI of my knee", "physical therapy", "a colonoscopy", "a sleep study", "cataract surgery")
PLANS = ("Silver Choice PPO", "Gold Advantage HMO", "Bronze Saver EPO", "Medicare Advantage Plus", "Dual Care SNP")
HOSPITALS = ("St. Aurelia Medical Center", "Lakeview General Hospital", "Mercy Ridge Hospital")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
TIMES = ("8:30 AM", "9:15 AM", "10:00 AM", "10:45 AM", "11:30 AM", "1:15 PM", "2:00 PM", "2:45 PM", "3:30 PM")


@dataclass(frozen=True)
class Organisation:
    """The agency a demo customer stands for."""

    name: str
    locations: tuple[str, ...]
    doctors: tuple[str, ...]
    callback: str


ORGANISATIONS = (
    Organisation(
        "Riverside Family Medicine",
        ("Riverside", "Oak Street", "Westfield"),
        ("Dr. Anita Patel", "Dr. Marcus Green", "Dr. Helen Cho"),
        "(555) 014-2231",
    ),
    Organisation(
        "Northgate Health Partners",
        ("Northgate", "Harbor Point", "Elm Park"),
        ("Dr. Samuel Osei", "Dr. Laura Kim", "Dr. Peter Novak"),
        "(555) 018-7740",
    ),
    Organisation(
        "Summit Senior Care",
        ("Summit", "Cedar Hills"),
        ("Dr. Rachel Adler", "Dr. Victor Ruiz"),
        "(555) 012-9088",
    ),
    Organisation(
        "BrightPath Health Plans",
        ("Northside Partner Clinic", "Downtown Partner Clinic"),
        ("Dr. Naomi Brooks", "Dr. Felix Amari"),
        "(555) 016-3300",
    ),
)


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    dob: str
    member_last4: str
    zip_code: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Context:
    """Everything one call's script may mention."""

    org: Organisation
    agent: str
    person: Person
    doctor: str
    location: str
    slots: tuple[str, str, str]
    plan: str


def pick(rng: random.Random, options: tuple[str, ...]) -> str:
    """`rng.choice`, at a third of the cost: 100,000 calls draw a few million of these."""
    return options[int(rng.random() * len(options))]


def make_person(rng: random.Random) -> Person:
    dob = f"{pick(rng, MONTHS)} {rng.randint(1, 28)}, {rng.randint(1938, 1990)}"
    return Person(
        pick(rng, FIRST_NAMES),
        pick(rng, LAST_NAMES),
        dob,
        f"{rng.randint(0, 9999):04d}",
        f"{rng.randint(10000, 99999)}",
    )


@lru_cache(maxsize=512)
def _slots_after(day: date) -> tuple[str, ...]:
    """Appointment times a scheduler could offer on a call made on `day`: weekdays, 2 to 20 days later."""
    later = (day + timedelta(days=offset) for offset in range(2, 21))
    return tuple(
        f"{DAY_NAMES[d.weekday()]}, {MONTHS[d.month - 1]} {d.day} at {time}"
        for d in later
        if d.weekday() < 5
        for time in TIMES
    )


def _three_slots(rng: random.Random, slots: tuple[str, ...]) -> tuple[str, str, str]:
    """Three different times, so "this one or that one" never offers the same slot twice."""
    first = int(rng.random() * len(slots))
    second = (first + 1 + int(rng.random() * (len(slots) - 1))) % len(slots)
    return slots[first], slots[second], pick(rng, slots)


def make_context(rng: random.Random, org: Organisation, person: Person, day: date) -> Context:
    """The details of one call; appointments offered fall on weekdays in the weeks after `day`."""
    slots = _slots_after(day)
    return Context(
        org,
        pick(rng, AGENT_NAMES),
        person,
        pick(rng, org.doctors),
        pick(rng, org.locations),
        _three_slots(rng, slots),
        pick(rng, PLANS),
    )


# --- openings and closings -------------------------------------------------------------------------------


def _outbound_opening(c: Context, rng: random.Random, purpose: str) -> list[Turn]:
    p = c.person
    greeting = pick(
        rng,
        (
            f"Hi, this is {c.agent}, a virtual assistant calling on behalf of {c.org.name}. May I speak with {p.full}?",
            f"Hello, this is {c.agent} calling from {c.org.name}. Am I speaking with {p.first}?",
            f"Hi there! This is {c.agent}, an automated assistant with {c.org.name}. Is this {p.first} {p.last}?",
        ),
    )
    answer = pick(rng, (f"Yes, this is {p.first}.", "Speaking.", "Yeah, who's calling?", "Yes. What's this about?"))
    return [
        ("AI", greeting),
        ("User", answer),
        ("AI", f"Thanks, {p.first}. For your privacy, could you please confirm your date of birth?"),
        ("User", f"{p.dob}."),
        ("AI", f"Thank you, that matches our records. {purpose}"),
    ]


def _inbound_opening(c: Context, rng: random.Random) -> list[Turn]:
    return [
        (
            "AI",
            f"Thank you for calling {c.org.name}. This is {c.agent}, a virtual assistant. "
            "This call may be recorded for quality purposes. How can I help you today?",
        ),
    ]


def _goodbye(c: Context, rng: random.Random) -> list[Turn]:
    return [
        ("User", pick(rng, ("Okay, thank you.", "Great, thanks so much.", "Alright, bye.", "Thank you, dear."))),
        ("AI", pick(rng, (f"You're welcome, {c.person.first}. Have a great day!", "Take care. Goodbye!"))),
    ]


def voicemail(c: Context, rng: random.Random, reason: str) -> list[Turn]:
    return [
        (
            "AI",
            f"Hi, this message is for {c.person.first} {c.person.last}. This is {c.agent} from {c.org.name} "
            f"calling {reason}. Please call us back at {c.org.callback} at your convenience. Thank you, goodbye.",
        )
    ]


# --- outcomes shared by several scenarios ----------------------------------------------------------------


def _book(c: Context, rng: random.Random, lead: str = "") -> list[Turn]:
    first, second = c.slots[0], c.slots[1]
    reply, chosen = pick_pair(rng, (("The first one, please.", first), ("The second one works better.", second)))
    return [
        ("AI", f"{lead}I have {first} or {second} with {c.doctor}. Which works better for you?"),
        ("User", reply),
        (
            "AI",
            f"Great, you're booked for {chosen} at our {c.location} office. You'll get a text confirmation shortly. "
            "Please bring your insurance card and a list of your current medications.",
        ),
    ]


def pick_pair(rng: random.Random, options: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    return options[int(rng.random() * len(options))]


def _transfer(c: Context, rng: random.Random, team: str, reason: str) -> list[Turn]:
    return [
        ("User", reason),
        ("AI", f"I can help with that by connecting you to our {team}. Please hold for a moment while I transfer you."),
    ]


def _do_not_call(c: Context, rng: random.Random, words: str) -> list[Turn]:
    return [
        ("User", words),
        ("AI", "I'm sorry for the inconvenience. I've updated our records so you won't receive these calls again."),
    ]


def _wrong_number(c: Context, rng: random.Random) -> list[Turn]:
    return [
        ("AI", f"Hello, this is {c.agent} calling from {c.org.name}. May I speak with {c.person.full}?"),
        ("User", pick(rng, (f"There's no {c.person.first} here.", "You have the wrong number.", "Who? No."))),
        ("AI", "I apologize for the confusion. I'll update our records. Have a good day."),
    ]


def _callback(c: Context, rng: random.Random) -> list[Turn]:
    return [
        ("User", "I'm driving right now. Can you call me back tomorrow afternoon?"),
        ("AI", "Of course. I'll schedule a callback for tomorrow afternoon. Drive safely!"),
    ]


def _language(c: Context, rng: random.Random) -> list[Turn]:
    return [
        ("AI", f"Hello, this is {c.agent} calling from {c.org.name}. May I speak with {c.person.full}?"),
        (
            "User",
            pick(rng, ("Perdón, no hablo inglés.", "Sorry, my English... not good. My daughter, she speak.")),
        ),
        ("AI", "I understand. I'll note that you prefer another language and have a team member call you back."),
    ]


# --- scenarios -------------------------------------------------------------------------------------------


def wellness_scheduling(c: Context, rng: random.Random, outcome: str) -> list[Turn]:
    purpose = f"I'm calling because you're due for your annual wellness visit with {c.doctor}."
    if outcome == "Voicemail":
        return voicemail(c, rng, "about scheduling your annual wellness visit")
    if outcome == "Bad Contact":
        return _wrong_number(c, rng)
    if outcome == "Language Barrier":
        return _language(c, rng)
    turns = _outbound_opening(c, rng, purpose + " Would you like to schedule it now?")
    if outcome == "Appointment Scheduled":
        turns += [("User", pick(rng, ("Sure, what do you have?", "Oh, right. Yes, let's do that.")))]
        turns += _book(c, rng)
    elif outcome == "Not Interested":
        turns += [
            ("User", pick(rng, ("I already see a doctor somewhere else, so no thanks.", "Not right now, I'm busy."))),
            ("AI", "I understand. I'll make a note of that. If you change your mind, just give us a call."),
        ]
    elif outcome == "Transferred":
        turns += _transfer(c, rng, "billing team", "Actually, I have a question about a bill from my last visit.")
        return turns
    elif outcome == "Do Not Call":
        return turns + _do_not_call(c, rng, "Please take me off your list. Don't call this number again.")
    elif outcome == "Callback Requested":
        return turns + _callback(c, rng)
    else:
        turns += [("User", "Can you repeat that?"), ("AI", "Of course. I'm calling about your annual wellness visit.")]
    return turns + _goodbye(c, rng)


def appointment_reminder(c: Context, rng: random.Random, outcome: str) -> list[Turn]:
    slot = c.slots[2]
    if outcome == "Voicemail":
        return voicemail(c, rng, f"to remind you of your appointment with {c.doctor} on {slot}")
    if outcome == "Bad Contact":
        return _wrong_number(c, rng)
    if outcome == "Language Barrier":
        return _language(c, rng)
    turns = _outbound_opening(
        c, rng, f"I'm calling to remind you of your appointment with {c.doctor} on {slot} at our {c.location} office."
    )
    if outcome == "Message Delivered":
        turns += [
            ("User", pick(rng, ("Yes, I'll be there.", "Oh good, I almost forgot. Thank you.", "Okay, got it."))),
            ("AI", "Wonderful. Please arrive 15 minutes early to check in, and bring your insurance card."),
        ]
    elif outcome == "Appointment Scheduled":
        turns += [("User", "Oh, I can't make that day anymore. Can I move it?")]
        turns += _book(c, rng, "Of course. ")
    elif outcome == "Transferred":
        return turns + _transfer(c, rng, "nurse line", "I need to ask someone about my blood pressure medication.")
    elif outcome == "Not Interested":
        turns += [
            ("User", "Please cancel it, I'm seeing someone closer to home now."),
            ("AI", "No problem. I've cancelled that appointment for you."),
        ]
    elif outcome == "Callback Requested":
        return turns + _callback(c, rng)
    else:
        turns += [("User", "Okay."), ("AI", "Thank you.")]
    return turns + _goodbye(c, rng)


def identity_verification(c: Context, rng: random.Random, outcome: str) -> list[Turn]:
    p = c.person
    turns = _inbound_opening(c, rng)
    turns += [
        ("User", pick(rng, ("Hi, I have a question about my coverage.", "Yes, I need help with a claim."))),
        ("AI", "I can help with that. First I need to verify your identity. Can I have your full name?"),
        ("User", f"{p.full}."),
        ("AI", "Thank you. And your date of birth?"),
    ]
    if outcome == "No Agents Available":
        return [
            *turns,
            ("User", f"{p.dob}."),
            (
                "AI",
                "Thank you. All of our representatives are currently helping other members. Please call back "
                "between 8 AM and 6 PM Eastern, Monday through Friday, or visit the member portal.",
            ),
            ("User", "Okay, I'll try later."),
        ]
    if outcome == "Identity Verification Failed":
        return [
            *turns,
            ("User", "Um, I think it's... the 14th?"),
            ("AI", "I'm sorry, I need your full date of birth, including the year."),
            ("User", "I'd rather not say that over the phone."),
            (
                "AI",
                "I understand. I wasn't able to verify your identity, so I can't share plan details on this call. "
                f"You can call back with your member ID card, or call us at {c.org.callback}.",
            ),
        ]
    turns += [
        ("User", f"{p.dob}."),
        ("AI", "And the last four digits of your member ID?"),
        ("User", " ".join(p.member_last4) + "."),
    ]
    if outcome == "Transferred":
        return [
            *turns,
            ("AI", f"Thank you, {p.first}, you're verified."),
            *_transfer(c, rng, "member services team", "Can I just talk to a person about my claim?"),
        ]
    procedure = pick(rng, PROCEDURES)
    return [
        *turns,
        ("AI", f"Thank you, {p.first}, you're verified. What can I help you with?"),
        ("User", f"My doctor wants me to get {procedure}. Is that covered?"),
        (
            "AI",
            f"Under your {c.plan} plan, that is covered after your deductible, but it needs prior authorization. "
            "Your doctor's office submits the request, and we usually decide within five business days.",
        ),
        ("User", "Okay. Can you send me that in writing?"),
        ("AI", "Yes, I'll send a summary to the address on file."),
        *_goodbye(c, rng),
    ]


def medicare_review(c: Context, rng: random.Random, outcome: str) -> list[Turn]:
    if outcome == "Voicemail":
        return voicemail(c, rng, "about a free review of your Medicare coverage during open enrollment")
    if outcome == "Bad Contact":
        return _wrong_number(c, rng)
    if outcome == "Language Barrier":
        return _language(c, rng)
    turns = _outbound_opening(
        c,
        rng,
        "Medicare's Annual Enrollment Period runs until December 7th, and I'm calling to offer a free review of "
        "your current coverage. Do you have a few minutes?",
    )
    if outcome == "Qualified":
        turns += [
            ("User", "Sure, I guess. My premium went up this year."),
            ("AI", "I'm sorry to hear that. Do you currently have Medicare Parts A and B?"),
            ("User", "Yes, both of them."),
            ("AI", "And what's your ZIP code?"),
            ("User", f"{c.person.zip_code}."),
            (
                "AI",
                "Thank you. There are plans in your area with lower premiums, including the "
                f"{c.plan}. A licensed agent will call you on {c.slots[0]} to go over your options. Does that work?",
            ),
            ("User", "That's fine."),
        ]
    elif outcome == "Unqualified":
        turns += [
            ("User", pick(rng, ("I'm not on Medicare yet, I have my employer's plan.", "I only have Medicaid."))),
            ("AI", "Thanks for letting me know. These plans wouldn't be a fit for you right now."),
        ]
    elif outcome == "Not Interested":
        turns += [
            ("User", "I'm happy with the plan I have, thanks."),
            ("AI", "That's great to hear. Thank you for your time."),
        ]
    elif outcome == "Do Not Contact":
        return turns + _do_not_call(c, rng, "Stop calling me. Put me on your do not contact list, please.")
    elif outcome == "Transferred":
        return turns + _transfer(c, rng, "licensed agents", "Can I just talk to an agent right now?")
    elif outcome == "Callback Requested":
        return turns + _callback(c, rng)
    else:
        turns += [("User", "What is this about again?"), ("AI", "A free review of your Medicare coverage.")]
    return turns + _goodbye(c, rng)


def post_discharge(c: Context, rng: random.Random, outcome: str) -> list[Turn]:
    hospital = pick(rng, HOSPITALS)
    if outcome == "Voicemail":
        return voicemail(c, rng, f"to check in after your recent stay at {hospital}")
    if outcome == "Bad Contact":
        return _wrong_number(c, rng)
    turns = _outbound_opening(
        c, rng, f"I'm calling to check in after your recent discharge from {hospital}. How are you feeling?"
    )
    if outcome == "Callback Requested":
        return turns + _callback(c, rng)
    if outcome == "Transferred":
        return [
            *turns,
            ("User", "Honestly, my ankle is really swollen and it hurts to walk."),
            ("AI", "Thank you for telling me. I'd like to connect you with one of our nurses right away. Please hold."),
        ]
    turns += [
        ("User", pick(rng, ("A little tired, but better.", "Much better, thank you.", "Okay, I guess."))),
        ("AI", "I'm glad to hear that. Have you been able to pick up your new medications?"),
        ("User", pick(rng, ("Yes, I got them on Tuesday.", "My son picked them up for me."))),
    ]
    if outcome == "Appointment Scheduled":
        turns += _book(c, rng, "Great. I don't see a follow-up visit on your chart yet, so let's set one up. ")
    else:
        turns += [
            (
                "AI",
                f"Great. Your follow-up visit with {c.doctor} is on {c.slots[1]}. If you have chest pain, "
                "shortness of breath, or a fever over 101, call 911 or go to the nearest emergency room.",
            ),
        ]
    return turns + _goodbye(c, rng)


def inbound_scheduling(c: Context, rng: random.Random, outcome: str) -> list[Turn]:
    p = c.person
    turns = _inbound_opening(c, rng)
    if outcome == "No Agents Available":
        return [
            *turns,
            ("User", "I need to talk to someone about a referral."),
            (
                "AI",
                "I'm sorry, our referral coordinators are all busy or our office is closed. I've noted your "
                "request and someone will call you back on the next business day.",
            ),
        ]
    if outcome == "Transferred":
        return turns + _transfer(c, rng, "nurse line", "I need a refill on my prescription, and I have a question.")
    complaint = pick(rng, COMPLAINTS)
    turns += [
        ("User", f"Hi, I need to make an appointment. I've been having {complaint}."),
        ("AI", "I'm sorry to hear that. Can I have your name and date of birth?"),
        ("User", f"{p.full}, {p.dob}."),
    ]
    if outcome == "Appointment Scheduled":
        turns += _book(c, rng, "Thank you. Let me look for the first available appointments. ")
    elif outcome == "Qualified":
        turns += [
            ("AI", "Thank you. I don't see you in our system. Are you a new patient?"),
            ("User", f"Yes. I have the {c.plan}."),
            ("AI", "Good news, we accept that plan. I'll have our new-patient coordinator call you today."),
        ]
    elif outcome == "Unqualified":
        turns += [
            ("AI", "Thank you. What insurance do you have?"),
            ("User", "I have a plan through my work, Apex Health."),
            ("AI", "I'm sorry, we aren't in network with Apex Health. I can text you a list of nearby clinics."),
        ]
    else:
        turns += [("AI", "Thank you, one moment please.")]
    return turns + _goodbye(c, rng)


SCRIPTS = {
    "wellness": wellness_scheduling,
    "reminder": appointment_reminder,
    "verification": identity_verification,
    "medicare": medicare_review,
    "discharge": post_discharge,
    "inbound": inbound_scheduling,
}

# --- summaries -------------------------------------------------------------------------------------------

_TOPIC = {
    "wellness": "about scheduling an annual wellness visit",
    "reminder": "to remind them of an upcoming appointment",
    "verification": "about a coverage question",
    "medicare": "to offer a Medicare coverage review",
    "discharge": "for a post-discharge check-in",
    "inbound": "to make an appointment",
}

_RESULT = {
    "Appointment Scheduled": "An appointment was booked with {doctor} at the {location} office.",
    "Message Delivered": "The message was delivered and the patient acknowledged it.",
    "Transferred": "The caller asked for a person and was transferred to the appropriate team.",
    "Not Interested": "The patient declined and asked for no further action.",
    "Do Not Call": "The patient asked not to be called again; the number was added to the do-not-call list.",
    "Do Not Contact": "The person asked not to be contacted again.",
    "Bad Contact": "The number did not belong to the patient (wrong number).",
    "Qualified": "The person meets the criteria and a follow-up with a licensed agent was arranged.",
    "Unqualified": "The person does not meet the eligibility criteria.",
    "Identity Verified": "Identity was verified with date of birth and member ID; coverage details were shared.",
    "Identity Verification Succeeded": "Identity was verified with date of birth and member ID.",
    "Identity Verification Failed": "The caller could not be verified, so no plan details were shared.",
    "No Agents Available": "No representative was available; the caller was asked to call back.",
    "Callback Requested": "The patient asked to be called back at a better time.",
    "Language Barrier": "The person did not speak English; a callback in their language was requested.",
    "Disposition Error": "The call completed but the outcome could not be classified.",
}


_SPECIFIC = {
    ("wellness", "Transferred"): "The patient had a billing question and was transferred to the billing team.",
    ("reminder", "Transferred"): "The patient asked about blood pressure medication and was sent to the nurse line.",
    ("reminder", "Appointment Scheduled"): "The patient could not make it; the visit was rebooked with {doctor}.",
    ("reminder", "Not Interested"): "The patient cancelled the appointment and now sees a provider closer to home.",
    ("verification", "Transferred"): "The caller was verified and transferred to member services about a claim.",
    ("discharge", "Transferred"): "The patient reported a swollen, painful ankle and was transferred to a nurse.",
    ("discharge", "Message Delivered"): (
        "The patient is recovering and has their medications; the follow-up visit with {doctor} and the warning "
        "signs were reviewed."
    ),
    ("inbound", "Transferred"): "The caller needed a prescription refill and was transferred to the nurse line.",
    (
        "inbound",
        "No Agents Available",
    ): "The caller asked about a referral; no coordinator was free, a callback was noted.",
    ("inbound", "Qualified"): "A new patient whose plan is accepted; the new-patient coordinator will call back.",
    ("inbound", "Unqualified"): "The caller's insurance is out of network; a list of nearby clinics was offered.",
    ("medicare", "Qualified"): "Has Medicare Parts A and B; a licensed agent will call back about lower-premium plans.",
    ("medicare", "Transferred"): "The person asked for a licensed agent right away and was transferred.",
}


def summary(scenario: str, outcome: str, c: Context, direction: str) -> str:
    """Two sentences, like the summaries voice-AI platforms write: who and why, then what came of it."""
    who = c.person.full
    if outcome == "Voicemail":
        return f"The AI reached {who}'s voicemail and left a message {_TOPIC[scenario]} with a callback number."
    if direction == "inbound":
        specific = (scenario, outcome) in _SPECIFIC or (scenario == "inbound" and outcome != "Appointment Scheduled")
        opening = f"{who} called {c.org.name}." if specific else f"{who} called {c.org.name} {_TOPIC[scenario]}."
    else:
        opening = f"The AI called {who} {_TOPIC[scenario]}."
    result = _SPECIFIC.get((scenario, outcome)) or _RESULT.get(outcome, "The call ended without a clear outcome.")
    return f"{opening} {result.format(doctor=c.doctor, location=c.location)}"
