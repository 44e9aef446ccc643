using DocStore.Core.Security;
using Xunit;

namespace DocStore.Core.Tests.Security;

public sealed class LoginThrottleTests
{
    private readonly ManualTime time = new();

    [Fact]
    public void The_first_mistakes_cost_nothing_then_the_delay_doubles_up_to_the_cap()
    {
        var throttle = new LoginThrottle(time);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 12; i++)
        {
            delays.Add(throttle.DelayFor("192.0.2.1", "alice"));
            throttle.Failed("192.0.2.1", "alice");
        }

        Assert.Equal(TimeSpan.Zero, delays[0]);
        Assert.Equal(TimeSpan.Zero, delays[2]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), delays[3]);
        Assert.Equal(TimeSpan.FromMilliseconds(500), delays[4]);
        Assert.Equal(LoginThrottle.MaxAddressDelay, delays[^1]);
        Assert.All(delays.Zip(delays.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
    }

    [Fact]
    public void An_attacker_elsewhere_slows_the_real_user_only_a_little()
    {
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < 50; i++)
        {
            throttle.Failed("198.51.100.7", "alice");
        }

        Assert.Equal(LoginThrottle.MaxAddressDelay, throttle.DelayFor("198.51.100.7", "alice"));
        Assert.Equal(LoginThrottle.MaxAccountDelay, throttle.DelayFor("192.0.2.1", "alice"));
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor("192.0.2.1", "bob"));
    }

    [Fact]
    public void Success_and_time_clear_the_record()
    {
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < 6; i++)
        {
            throttle.Failed("192.0.2.1", "alice");
        }
        Assert.NotEqual(TimeSpan.Zero, throttle.DelayFor("192.0.2.1", "alice"));

        throttle.Succeeded("192.0.2.1", "alice");
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor("192.0.2.1", "alice"));

        for (var i = 0; i < 6; i++)
        {
            throttle.Failed("192.0.2.9", "dave");
        }
        time.Advance(LoginThrottle.ForgetAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, throttle.DelayFor("192.0.2.9", "dave"));
    }
}
