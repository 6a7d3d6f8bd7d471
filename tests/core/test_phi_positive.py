"""PHI that ``core.phi.scan_text`` must find, written the way a receptionist writes posts.

Each case names the kind and the exact text it must underline. Known misses are listed at the
end as strict xfails with the reason, so a fix shows up as an XPASS.
"""

from __future__ import annotations

import pytest

from core.phi import Audience, scan_text

KNOWN = (
    "Maria Lopez",
    "José Núñez",
    "Mary-Kate O'Neil",
    "Thomas A. Whitfield",
    "Priya Raghunathan",
    "Zoë Ångström",
    "Ruth Adams",
    "Jordan May",
)
PRACTICE = ("(217) 555-0142", "frontdesk@springfieldsmiles.com", "1200 Main St, Springfield")

POSITIVE: list[tuple[str, str, str]] = [
    # --- known names: full, first + last, case, accents, hyphen, possessive, "Last, First"
    ("So proud of Maria Lopez for finishing her Invisalign journey!", "name", "Maria Lopez"),
    ("Big smiles from maria lopez after today's cleaning ✨", "name", "maria lopez"),
    ("Jose Nunez stopped by with cookies for the whole team", "name", "Jose Nunez"),
    ("Thank you Mary-Kate O'Neil for the lovely card 💌", "name", "Mary-Kate O'Neil"),
    ("Thomas Whitfield's new crown looks fantastic", "name", "Thomas Whitfield"),
    ("Lopez, Maria: follow-up Thursday", "name", "Lopez, Maria"),
    ("Zoë Ångström's veneers turned out beautifully", "name", "Zoë Ångström"),
    ("RUTH ADAMS is our superstar this week", "name", "RUTH ADAMS"),
    # --- person-like names next to cues
    ("Mrs. Alvarez brought us tamales after her extraction 🫔", "name", "Alvarez"),
    ("Our patient Tom just got his braces off!", "name", "Tom"),
    ("Tom's crown came out perfect", "name", "Tom"),
    ("After Sarah's surgery we sent her flowers", "name", "Sarah"),
    ("Congratulations to Emma on getting her braces off! 🎉", "name", "Emma"),
    ("Thanks to Jordan for trusting us with his root canal", "name", "Jordan"),
    ("Patient spotlight: Grace lost her first tooth in the chair today!", "name", "Grace"),
    ("Ms. Okafor's chemical peel results are glowing", "name", "Okafor"),
    ("Mr. Diaz's adjustment went really well this week", "name", "Diaz"),
    ("Patient of the month: Ava! She never misses a cleaning", "name", "Ava"),
    ("Little Sam came in for his first cleaning and did great", "name", "Sam"),
    ("Congrats to Liam on finishing chemo! We're cheering for you", "name", "Liam"),
    ("Welcome back, Mrs. Kim! Hope the new dentures feel great", "name", "Kim"),
    ("After his car accident, Dave's whiplash is finally gone", "name", "Dave"),
    # --- ages
    ("A 78-year-old grandmother came in for her first implant", "age", "78-year-old"),
    ("Happy 100th birthday to Mrs. Adams!", "age", "100th birthday"),
    ("Ruth turns 100 today and still has all her own teeth!", "age", "turns 100"),
    ("Little Ben, aged 9, was so brave during his filling", "age", "aged 9"),
    ("Our youngest patient is just 3 months old 👶", "age", "3 months old"),
    ("At ninety-two years young, Harold never misses a cleaning", "age", "ninety-two years young"),
    ("She got her braces at age 12 and loved them", "age", "age 12"),
    # --- dates tied to a person
    ("DOB 04/12/1957, please update the file", "date", "04/12/1957"),
    ("Her appointment on March 3 went great", "date", "March 3"),
    ("He came in yesterday with a broken tooth", "date", "yesterday"),
    ("Saw a sweet family at her visit last Tuesday", "date", "last Tuesday"),
    ("She was seen today for a toothache", "date", "today"),
    ("Born 3/15/2019, our littlest patient had her first checkup", "date", "3/15/2019"),
    ("Mr. Reyes had his implant placed on June 12", "date", "June 12"),
    ("Jenna's birthday is March 3, so we sang at her cleaning!", "date", "March 3"),
    # --- phone, e-mail, address
    ("Please call Maria back at 415-555-0199 about her crown", "phone", "415-555-0199"),
    ("Text her at (312) 555-7781 to confirm", "phone", "(312) 555-7781"),
    ("His number is +1 646 555 3322", "phone", "+1 646 555 3322"),
    ("Reach him at tom.brooks@gmail.com", "email", "tom.brooks@gmail.com"),
    ("Her email is jsmith+dental@yahoo.com if you need it", "email", "jsmith+dental@yahoo.com"),
    ("Dropped off her retainer at 1420 Maple Ave", "address", "1420 Maple Ave"),
    ("He lives at 22 W. Elm Street, Apt 4B", "address", "22 W. Elm Street, Apt 4B"),
    ("Send the invoice to PO Box 1123", "address", "PO Box 1123"),
    # --- record, chart, claim, account numbers
    ("MRN 123456 needs a new x-ray", "record_number", "MRN 123456"),
    ("Please pull chart #4471 for Dr. Lee", "record_number", "chart #4471"),
    ("Claim no. 88-1234 was denied again", "record_number", "Claim no. 88-1234"),
    ("Account #55210 is past due", "record_number", "Account #55210"),
    ("Her SSN is 123-45-6789", "record_number", "123-45-6789"),
    ("Member ID: XJ4482913", "record_number", "Member ID: XJ4482913"),
    # --- treatments, procedures, diagnoses tied to a person
    ("Her root canal went smoothly", "health_detail", "root canal"),
    ("His diabetes makes healing slower", "health_detail", "diabetes"),
    ("Our patient with braces won the science fair", "health_detail", "braces"),
    ("Tom's implant is healing nicely", "health_detail", "implant"),
    ("One of our patients just finished Invisalign", "health_detail", "Invisalign"),
    ("She was diagnosed with gum disease last spring", "health_detail", "gum disease"),
    ("We treated him for a nasty abscess", "health_detail", "abscess"),
    ("Dr. Patel placed her implant this morning", "health_detail", "implant"),
    ("His Botox is really settling in nicely", "health_detail", "Botox"),
    ("Her lip filler results are in!", "health_detail", "lip filler"),
    ("His sciatica is finally better after three adjustments", "health_detail", "sciatica"),
    ("Her melanoma was caught early", "health_detail", "melanoma"),
    ("Jen's CoolSculpting results 😍", "health_detail", "CoolSculpting"),
    ("Mr. Patel's blood pressure is under control now", "health_detail", "blood pressure"),
    ("Her mammogram came back clear!", "health_detail", "mammogram"),
    ("Got his flu shot today like a champ 💪", "health_detail", "flu shot"),
    ("She's pregnant with twins, so no x-rays this time", "health_detail", "pregnant"),
    ("Maria was recently diagnosed with TMJ", "health_detail", "TMJ"),
    # --- "our patient ..." phrases
    ("A patient of ours sent this sweet note", "patient_relationship", "A patient of ours"),
    ("Our youngest patient ever!", "patient_relationship", "Our youngest patient"),
    ("Check out this patient's before and after", "patient_relationship", "this patient"),
    ("One of our patients made us cupcakes", "patient_relationship", "One of our patients"),
    # --- visit details
    ("Little Sam came in for his first cleaning", "visit_detail", "came in for"),
    ("In the chair this morning: our bravest patient yet", "visit_detail", "In the chair"),
    ("Who was in our chair today? This superstar!", "visit_detail", "was in our chair"),
    ("He checked in for his post-op", "visit_detail", "checked in"),
    ("She was seen today for a toothache", "visit_detail", "was seen"),
    ("Her first visit was a breeze", "visit_detail", "first visit"),
    # --- insurance and billing
    ("Her Delta Dental plan covers two cleanings a year", "insurance", "Delta Dental"),
    ("His insurance didn't cover the crown", "insurance", "insurance"),
    ("A Medicaid patient asked about sealants", "insurance", "Medicaid"),
    ("Tom's copay was only $20", "insurance", "copay"),
    ("She owes a balance of $340", "insurance", "balance"),
    # --- held out: written after the rules, then run once (see the report in the PR)
    ("Huge congrats to Olivia, who finished her Invisalign treatment this week!", "name", "Olivia"),
    (
        "Huge congrats to Olivia, who finished her Invisalign treatment this week!",
        "health_detail",
        "Invisalign",
    ),
    ("Happy 90th, Grandma Rose! 💐", "age", "90"),
    ("Happy 90th, Grandma Rose! 💐", "name", "Rose"),
    ("Bella needed six fillings, poor thing.", "health_detail", "fillings"),
    ("Bella needed six fillings, poor thing.", "name", "Bella"),
    ("Mr. Thompson (72) is our longest-standing patient.", "age", "72"),
    (
        "Mr. Thompson (72) is our longest-standing patient.",
        "patient_relationship",
        "our longest-standing patient",
    ),
    ("Yesterday we said goodbye to Mrs. Greene, who passed away at 94.", "name", "Greene"),
    ("Please remind Carlos that his deposit is due Friday.", "insurance", "deposit"),
    ("Please remind Carlos that his deposit is due Friday.", "date", "Friday"),
    (
        "Welcome to the world, baby Nora! Her mom Kayla has been coming here for years.",
        "patient_relationship",
        "has been coming here",
    ),
    (
        "Welcome to the world, baby Nora! Her mom Kayla has been coming here for years.",
        "name",
        "Kayla",
    ),
    ("Our sweetest patient, Lucy, brought us drawings after her cleaning.", "name", "Lucy"),
    ("Ellie's Accutane is working wonders on her skin!", "health_detail", "Accutane"),
    ("Mike finally quit smoking after his cancer scare.", "health_detail", "cancer"),
    ("Sam had 4 wisdom teeth out on Monday and is doing great!", "health_detail", "wisdom teeth"),
    ("Sam had 4 wisdom teeth out on Monday and is doing great!", "date", "Monday"),
    ("This brave girl got 2 fillings today without a single tear.", "health_detail", "fillings"),
    (
        "Mr. Nakamura's hip replacement went well and he's back for adjustments.",
        "health_detail",
        "hip replacement",
    ),
    ("We're so proud of Keisha: 6 months sober!", "name", "Keisha"),
    ("We're so proud of Keisha: 6 months sober!", "health_detail", "sober"),
    ("Patient J.R., 45, came in with a cracked molar.", "visit_detail", "came in with"),
    ("The Hendersons were in for their family cleaning day.", "visit_detail", "were in for"),
    ("Shoutout to our patient Maria L. for the kind review!", "name", "Maria"),
    (
        "Anna's spider veins are gone after just two sclerotherapy sessions.",
        "health_detail",
        "spider veins",
    ),
    (
        "Our favorite firefighter Dave stopped by for his annual skin check.",
        "visit_detail",
        "stopped by for",
    ),
    ("Mrs. Yang, 88, still drives herself to every appointment.", "age", "88"),
    ("Her husband said she hasn't stopped smiling since her veneers.", "health_detail", "veneers"),
    (
        "He's been coming to us since 1985 and never had a cavity!",
        "patient_relationship",
        "He's been coming to us",
    ),
    (
        "Grandpa Joe got his new dentures just in time for Thanksgiving.",
        "health_detail",
        "dentures",
    ),
    ("Jackson, 6, lost his first tooth during his cleaning today.", "age", "6"),
    (
        "Shoutout to Mrs. Hernandez for bringing in homemade pan dulce 🥐 #patientlove",
        "name",
        "Hernandez",
    ),
    ("Little Noah was SO brave getting his first filling today! 🦷⭐", "health_detail", "filling"),
    ("Little Noah was SO brave getting his first filling today! 🦷⭐", "date", "today"),
    (
        "Update: Grandma Bea's hip surgery went great and she's back for her adjustments",
        "health_detail",
        "hip surgery",
    ),
    (
        "Update: Grandma Bea's hip surgery went great and she's back for her adjustments",
        "name",
        "Bea",
    ),
    (
        "Before & after of Chloe's smile makeover — 6 veneers and whitening ✨",
        "health_detail",
        "smile makeover",
    ),
    ("Before & after of Chloe's smile makeover — 6 veneers and whitening ✨", "name", "Chloe"),
    (
        "Meet our Patient of the Month, Harrison! He's been cavity-free for 5 years.",
        "name",
        "Harrison",
    ),
    ("Keep Sofia in your thoughts; she starts chemo next week", "health_detail", "chemo"),
    ("Mr. Franklin just celebrated his 95th birthday with us!", "age", "95th birthday"),
    ("Mr. Franklin just celebrated his 95th birthday with us!", "name", "Franklin"),
    ("Our oldest patient, Edna, is 101 years old!", "age", "101 years old"),
    ("Our oldest patient, Edna, is 101 years old!", "name", "Edna"),
    ("Our oldest patient, Edna, is 101 years old!", "patient_relationship", "Our oldest patient"),
    ("Katie's due date is June 3 so we moved her cleaning up", "date", "June 3"),
    ("Sorry Mark, your crown is delayed at the lab. Call us!", "health_detail", "crown"),
    ("Mrs. Chen asked us to call her cell, 773-555-0123, not the house", "phone", "773-555-0123"),
    ("Forwarding Bob's x-rays to bob.harris1960@aol.com", "email", "bob.harris1960@aol.com"),
    ("Mailing the retainer back to 908 Birchwood Dr, Springfield", "address", "908 Birchwood Dr"),
    ("Chart 20931 has the wrong birthday on file", "record_number", "Chart 20931"),
    ("Claim #A-77812 for the Johnson family got denied", "record_number", "Claim #A-77812"),
    ("Maria's Cigna plan only covers one cleaning a year", "insurance", "Cigna"),
    (
        "His Medicare Advantage plan finally approved the dentures!",
        "insurance",
        "Medicare Advantage",
    ),
    (
        "Guess who was in the chair this afternoon? Our favorite firefighter!",
        "visit_detail",
        "was in the chair",
    ),
    ("Amazing results from Tina's microneedling series!", "health_detail", "microneedling"),
    (
        "He had a herniated disc and now he's pain-free after 8 visits 🙌",
        "health_detail",
        "herniated disc",
    ),
    ("Such a proud moment: Jacob's Invisalign is done!", "health_detail", "Invisalign"),
    ("Such a proud moment: Jacob's Invisalign is done!", "name", "Jacob"),
    (
        "She has been living with lupus for 10 years and our facials help her skin",
        "health_detail",
        "lupus",
    ),
    ("Twins Ava and Mia, age 7, got their sealants today!", "age", "age 7"),
    ("Welcome back to Mr. Ito after his knee replacement!", "health_detail", "knee replacement"),
    ("Welcome back to Mr. Ito after his knee replacement!", "name", "Ito"),
    ("A patient came in for her Botox touch-up and brought donuts", "visit_detail", "came in for"),
    (
        "One of our longtime patients just turned 90!",
        "patient_relationship",
        "One of our longtime patients",
    ),
    ("One of our longtime patients just turned 90!", "age", "turned 90"),
    ("Her anxiety used to keep her away, now she loves coming in", "health_detail", "anxiety"),
    ("So happy for Jasmine, whose acne finally cleared up!", "name", "Jasmine"),
    ("So happy for Jasmine, whose acne finally cleared up!", "health_detail", "acne"),
]

REPLY_POSITIVE: list[tuple[str, str, str]] = [
    ("As your dentist, we recommend a follow-up.", "patient_relationship", "As your dentist"),
    ("We're sorry your root canal was painful.", "health_detail", "root canal"),
    ("Our records show you were seen on May 2.", "patient_relationship", "Our records show"),
    ("Our records show you were seen on May 2.", "date", "May 2"),
    ("You were never a patient here.", "patient_relationship", "You were never a patient"),
    ("We're sorry about the billing mix-up.", "insurance", "billing"),
]


KNOWN_MISSES: list[tuple[str, str, str, str]] = [
    (
        "we finally got dave's bridge seated, he was thrilled",
        "health_detail",
        "bridge",
        "a name written in lower case is not a cue: 'dave's' could be any word",
    ),
    (
        "His Medicare Advantage plan finally approved the dentures!",
        "health_detail",
        "dentures",
        "'His' is six words before 'dentures'; ties reach three words",
    ),
    (
        "Dan from the lumber yard finally fixed that chipped tooth.",
        "health_detail",
        "chipped tooth",
        "nothing possessive ties 'that chipped tooth' to Dan",
    ),
    (
        "Call Mrs. Rodriguez at 555-867-5309 to reschedule.",
        "phone",
        "555-867-5309",
        "555 is no US area code, so phonenumbers does not call it a valid number",
    ),
    (
        "Look who got their braces off today! Congrats, Aiden!",
        "health_detail",
        "braces",
        "'their' is not a tie: 'kids and their braces' is how education posts talk",
    ),
    (
        "Baby Leo's first tooth came in at 4 months!",
        "age",
        "4 months",
        "'at 4 months' without 'old' is not an age pattern",
    ),
    (
        "Welcome back, Tony! How's the new knee?",
        "health_detail",
        "knee",
        "body parts are not health terms (too common in education posts)",
    ),
    (
        "Patient J.R., 45, came in with a cracked molar.",
        "age",
        "45",
        "initials are not taken for a name, so the age next to them is not tied",
    ),
    (
        "Yesterday we said goodbye to Mrs. Greene, who passed away at 94.",
        "age",
        "94",
        "'at 94' is not an age pattern",
    ),
]


def _spans(text: str, kind: str, audience: Audience = Audience.POST) -> list[str]:
    findings = scan_text(text, KNOWN, allowed=PRACTICE, audience=audience)
    return [text[f.start : f.end] for f in findings if f.kind == kind]


@pytest.mark.parametrize(("text", "kind", "span"), POSITIVE)
def test_finds(text: str, kind: str, span: str) -> None:
    assert span in _spans(text, kind), scan_text(text, KNOWN, allowed=PRACTICE)


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        pytest.param(*case[:3], marks=pytest.mark.xfail(strict=True, reason=case[3]))
        for case in KNOWN_MISSES
    ],
)
def test_known_misses(text: str, kind: str, span: str) -> None:
    assert span in _spans(text, kind)


@pytest.mark.parametrize(("text", "kind", "span"), REPLY_POSITIVE)
def test_finds_in_a_reply(text: str, kind: str, span: str) -> None:
    assert span in _spans(text, kind, Audience.REPLY)
