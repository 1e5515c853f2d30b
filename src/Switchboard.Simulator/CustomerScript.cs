namespace Switchboard.Simulator;

/// <summary>What the simulated customers are made of: names, fictional numbers, and support stories (an opening question,
/// follow-ups, a thank-you).</summary>
public static class CustomerScript
{
    public const int CastSize = 5;

    internal static readonly string[] FirstNames =
        ["Sheena", "Marcus", "Aiko", "Lucía", "Tomasz", "Priya", "Kwame", "Elena", "Jonas", "Fatima", "Diego", "Hannah", "Ravi", "Chloé", "Omar", "Greta"];

    internal static readonly string[] LastNames =
        ["Nelson", "Okafor", "Tanaka", "Gómez", "Kowalski", "Sharma", "Mensah", "Rossi", "Berg", "Haddad", "Alvarez", "Schmidt", "Iyer", "Martin", "Farouk", "Lind"];

    internal static readonly string[] AreaCodes = ["202", "206", "212", "303", "312", "404", "415", "503", "512", "617", "702", "919"];

    internal static readonly string[][] Stories =
    [
        ["Hi, my order #1042 still shows 'processing' after five days. Can you check?", "It was the blue backpack, ordered last Monday.", "Great, thank you! Will I get a tracking number?", "Thanks, that's all I needed."],
        ["Hello! Does the Aurora jacket come in another color?", "I'm looking for something darker, maybe navy or black.", "Perfect, is size M in stock?", "Thanks, I'll order it tonight."],
        ["I was charged twice for the same order. Can someone help?", "The order number is 88213, both charges are $49.90.", "OK, how long does the refund take?", "Great, thanks for sorting it out."],
        ["Hi, I can't log in to my account, the reset email never arrives.", "I checked spam too. My email is the one I'm writing from.", "Got it now, thank you!"],
        ["Can I change the delivery address on an order I just placed?", "New address is 101 Forest Ave, Palo Alto.", "Thanks a lot!"],
        ["The charger I received doesn't work. How do I return it?", "I still have the box and the receipt.", "Do I need to print the label myself?", "Perfect, thank you."],
        ["Are you open on public holidays?", "And what time do you close on Saturdays?", "Thanks!"],
        ["Hi! I have a discount code that says it's invalid: SPRING20", "I'm trying to use it on the garden set.", "That worked, thanks!"],
        ["My package says delivered but I don't have it.", "I checked with my neighbours, nobody has it.", "OK, should I file a claim or will you?", "Thanks for the help."],
        ["Do you ship to Canada? And how much is it?", "Great. How long does it usually take?", "Thanks, that helps."],
    ];
}
