using System.Net;
using Switchboard.Simulator;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.SimulatorTestbed;

namespace Switchboard.Tests;

public sealed class SimulatorCustomersTests
{
    [Fact]
    public async Task SimulatedCustomers_WriteIn_ToEveryAccount_WhenEnabled()
    {
        await using var bed = await StartAsync();
        Assert.Empty(bed.Receiver.Received("/meta"));

        var settings = await bed.Control.PutJsonAsync("_simulator/customers", new { enabled = true, intervalSeconds = 0.3, replyToAgents = true });

        var cast = settings["casts"]![PhoneNumberId]!.AsArray().Select(c => c!["waId"]!.GetValue<string>()).ToArray();
        Assert.Equal(CustomerScript.CastSize, cast.Length);
        Assert.Equal(cast, SimulatedCustomers.Cast(PhoneNumberId).Select(c => c.WaId));
        var whatsApp = await bed.Receiver.WaitForAsync("/meta", 2);
        foreach (var webhook in whatsApp)
        {
            AssertMetaSignature(webhook);
            var value = webhook.Json["entry"]![0]!["changes"]![0]!["value"]!;
            Assert.Contains(value["messages"]![0]!["from"]!.GetValue<string>(), cast);
            Assert.False(string.IsNullOrWhiteSpace(value["messages"]![0]!["text"]!["body"]!.GetValue<string>()));
            Assert.False(string.IsNullOrWhiteSpace(value["contacts"]![0]!["profile"]!["name"]!.GetValue<string>()));
        }
        var sms = (await bed.Receiver.WaitForAsync("/twilio/inbound"))[0];
        AssertTwilioSignature(sms);
        Assert.Equal(SmsNumber, sms.Form["To"]);

        bed.Simulator.Customers.Configure(bed.Simulator.Customers.Settings with { Enabled = false });
    }

    [Fact]
    public async Task ASimulatedCustomer_AnswersAnAgent_OnceTheMessageIsRead()
    {
        await using var bed = await StartAsync();
        bed.Simulator.Customers.Configure(new CustomerSettings { Enabled = true, IntervalSeconds = 3600, ReplyDelaySeconds = 0.1 });
        var first = (await bed.Receiver.WaitForAsync("/meta"))[0].Json["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!;
        var customer = first["from"]!.GetValue<string>();

        await bed.Meta.PostJsonAsync($"v23.0/{PhoneNumberId}/messages",
            new { messaging_product = "whatsapp", to = customer, type = "text", text = new { body = "Let me check that for you." } }, HttpStatusCode.OK);

        var webhooks = await bed.Receiver.WaitForAsync("/meta", 5);
        var reply = webhooks[4].Json["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!;
        Assert.Equal(customer, reply["from"]!.GetValue<string>());
        Assert.NotEqual(first["text"]!["body"]!.GetValue<string>(), reply["text"]!["body"]!.GetValue<string>());
    }
}
