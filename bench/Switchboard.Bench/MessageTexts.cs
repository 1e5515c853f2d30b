using System.Text;

namespace Switchboard.Bench;

/// <summary>Deterministic customer and agent messages of varied length: mostly a line or two, some paragraphs, a few long
/// complaints (WhatsApp allows 4,096 characters).</summary>
public static class MessageTexts
{
    private static readonly string[] Openers =
    [
        "Hi", "Hello", "Good morning", "Hey there", "Hi team", "Good afternoon", "Hello again", "Thanks", "Sorry to bother you", "Quick question",
    ];

    private static readonly string[] Sentences =
    [
        "My parcel never arrived.", "Where is my refund?", "Can I change the delivery address?", "The invoice shows the wrong amount.",
        "I was charged twice for the same order.", "Is this still in stock?", "Do you ship to Portugal?", "The app keeps logging me out.",
        "Can you send me the tracking number?", "I would like to cancel my subscription.", "The size does not fit, how do I return it?",
        "My order number is in the confirmation email.", "It says delivered but nothing is here.", "Can I pay by bank transfer?",
        "The discount code does not work at checkout.", "When will the new collection be available?", "I need to update my card details.",
        "The product arrived damaged, the box was crushed.", "Could someone call me back this afternoon?", "Thank you, that solved it.",
        "I have been waiting for an answer since Monday.", "Please confirm the appointment for Thursday at 10.",
        "The colour is different from the picture on the website.", "How long does the warranty last?", "I forgot my password again.",
        "Is there a store near the central station?", "Can I add one more item to the order?", "The courier left a note but I was home.",
        "Your colleague said someone would get back to me.", "Ok, I will wait for the email.", "Perfect, thanks a lot!",
        "I attached a photo of the label.", "The battery drains in a few hours.", "Can I get an invoice with my company details?",
    ];

    /// <summary>A pool of <paramref name="count"/> texts: 45% one sentence, 35% two to four, 15% a paragraph, 5% long.</summary>
    public static string[] Pool(int count, int seed = 7)
    {
        var random = new Random(seed);
        var texts = new string[count];
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(100);
            var sentences = roll < 45 ? 1 : roll < 80 ? random.Next(2, 5) : roll < 95 ? random.Next(5, 12) : random.Next(12, 40);
            builder.Clear();
            if (random.Next(3) == 0)
                builder.Append(Openers[random.Next(Openers.Length)]).Append(random.Next(2) == 0 ? ", " : "! ");
            for (var s = 0; s < sentences; s++)
                builder.Append(s == 0 ? "" : " ").Append(Sentences[random.Next(Sentences.Length)]);
            texts[i] = builder.ToString();
        }
        return texts;
    }
}
