%% What Tollgate's two Erlang/OTP test clients share: the service (a credit-control client,
%% decoding to maps, with the RFC 4006 dictionary), the wait for the connection, the CCR they
%% send and the line they print per answer:
%%   answer <label> command=<name> result=<Result-Code> number=<CC-Request-Number>
%%     errors=<decode errors> gsu=<CC-Time> validity=<Validity-Time> fui=<Final-Unit-Action>
%%     money=<Value-Digits>/<Exponent>
-module(tollgate_cc_client).

-include_lib("diameter/include/diameter.hrl").

-export([start/1, ccr/5, show/2, result_of/1]).

%% Starts the service and connects it to Tollgate on 127.0.0.1:Port; halts when it cannot.
start(Port) ->
    ok = diameter:start(),
    ok = diameter:start_service(tollgate_test, service()),
    {ok, _} = diameter:add_transport(tollgate_test, {connect, [
        {transport_module, diameter_tcp},
        {transport_config, [{raddr, {127, 0, 0, 1}}, {rport, Port}, {reuseaddr, true}]}]}),
    wait_up(50).

service() ->
    [{'Origin-Host', "erlang.test.local"}, {'Origin-Realm', "test.local"},
     {'Vendor-Id', 0}, {'Product-Name', "OTP diameter test client"},
     {'Auth-Application-Id', [4]}, {'Host-IP-Address', [{127, 0, 0, 1}]},
     {decode_format, map}, {string_decode, false},
     {application, [{alias, cc}, {dictionary, rfc4006_cc}, {module, tollgate_cc_cb},
                    {answer_errors, callback}]}].

wait_up(0) -> io:format("error no_peer~n"), halt(1);
wait_up(N) ->
    case diameter:service_info(tollgate_test, connections) of
        [_ | _] -> timer:sleep(100);
        _ -> timer:sleep(100), wait_up(N - 1)
    end.

%% One CCR; the called number travels as Called-Station-Id, an AVP the RFC 4006 dictionary
%% does not name, so it is sent raw (the CCR grammar ends with *[AVP]). Options: {rsu, S},
%% {usu, S}, {action, Requested-Action}.
ccr(Session, Type, Number, Subscriber, Options) ->
    Units = lists:flatmap(fun({rsu, Seconds}) -> [{'Requested-Service-Unit',
                                                   #{'CC-Time' => Seconds}}];
                             ({usu, Seconds}) -> [{'Used-Service-Unit',
                                                   [#{'CC-Time' => Seconds}]}];
                             (_) -> [] end, Options),
    Mscc = maps:merge(#{'Service-Identifier' => [1000], 'Rating-Group' => 100},
                      maps:from_list(Units)),
    Action = [{'Requested-Action', Value} || {action, Value} <- Options],
    Called = #diameter_avp{code = 30, data = <<"sip:4420700000@127.0.0.1">>},
    Message = maps:merge(#{'Session-Id' => Session, 'Destination-Realm' => "test.local",
                           'Auth-Application-Id' => 4, 'Service-Context-Id' => "32260@3gpp.org",
                           'CC-Request-Type' => Type, 'CC-Request-Number' => Number,
                           'Subscription-Id' => [#{'Subscription-Id-Type' => 2,
                                                   'Subscription-Id-Data' => Subscriber}],
                           'Multiple-Services-Credit-Control' => [Mscc],
                           'AVP' => [Called]},
                         maps:from_list(Action)),
    diameter:call(tollgate_test, cc, ['CCR' | Message], []).

result_of({ok, [_ | Answer], _}) -> maps:get('Result-Code', Answer);
result_of(_) -> none.

%% Optional AVPs decode as lists ([] or [Value]); required ones as the value.
one(Key, Map) ->
    case maps:get(Key, Map, []) of
        [Value | _] -> Value;
        [] -> none;
        Value -> Value
    end.

show(Label, {ok, [Name | Answer], Errors}) ->
    Mscc = case one('Multiple-Services-Credit-Control', Answer) of none -> #{}; M -> M end,
    Gsu = case one('Granted-Service-Unit', Mscc) of none -> #{}; G -> G end,
    Fui = case one('Final-Unit-Indication', Mscc) of none -> #{}; F -> F end,
    Money = case one('CC-Money', Gsu) of
                #{'Unit-Value' := Unit} ->
                    io_lib:format("~w/~w", [one('Value-Digits', Unit), one('Exponent', Unit)]);
                _ -> "none"
            end,
    io:format("answer ~s command=~s result=~w number=~w errors=~w gsu=~w validity=~w "
              "fui=~w money=~s~n",
              [Label, Name, one('Result-Code', Answer), one('CC-Request-Number', Answer),
               [element(1, E) || E <- Errors], one('CC-Time', Gsu),
               one('Validity-Time', Mscc), one('Final-Unit-Action', Fui), Money]);
show(Label, Other) ->
    io:format("answer ~s other=~0p~n", [Label, Other]).
