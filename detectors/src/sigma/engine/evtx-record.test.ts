import { describe, expect, it } from 'vitest';
import { flattenEvtxRecord } from './evtx-record.js';

const sysmon = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F' } },
      EventID: 1,
      Level: 4,
      TimeCreated: { '#attributes': { SystemTime: '2026-04-20T10:00:35.646624Z' } },
      EventRecordID: 86918,
      Correlation: null,
      Execution: { '#attributes': { ProcessID: 3208, ThreadID: 1724 } },
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'host1',
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: { Image: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd /c whoami', ProcessId: 6180, Level: 'x' },
  },
};

describe('flattenEvtxRecord', () => {
  it('puts EventData at the top level and System elements and attributes beside it', () => {
    expect(flattenEvtxRecord(sysmon)).toEqual({
      Provider_Name: 'Microsoft-Windows-Sysmon',
      Provider_Guid: '5770385F',
      EventID: 1,
      Level: 'x',
      TimeCreated_SystemTime: '2026-04-20T10:00:35.646624Z',
      EventRecordID: 86918,
      Correlation: null,
      Execution_ProcessID: 3208,
      Execution_ThreadID: 1724,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'host1',
      Security_UserID: 'S-1-5-18',
      Image: 'C:\\Windows\\cmd.exe',
      CommandLine: 'cmd /c whoami',
      ProcessId: 6180,
    });
  });

  it('accepts the Event object itself', () => {
    expect(flattenEvtxRecord(sysmon.Event)).toEqual(flattenEvtxRecord(sysmon));
  });

  it('reads EventID with Qualifiers, and the <Data Name> list form', () => {
    const flat = flattenEvtxRecord({
      Event: {
        System: { EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7036 }, Channel: 'System' },
        EventData: {
          Data: [
            { '#attributes': { Name: 'param1' }, '#text': 'Windows Update' },
            { '#attributes': { Name: 'param2' }, '#text': 'running' },
            { '#attributes': { Name: 'Empty' } },
          ],
          Binary: '00',
        },
      },
    });
    expect(flat).toEqual({
      EventID: 7036,
      EventID_Qualifiers: 16384,
      Channel: 'System',
      param1: 'Windows Update',
      param2: 'running',
      Empty: null,
      Binary: '00',
    });
  });

  it('keeps unnamed data under Data', () => {
    expect(flattenEvtxRecord({ Event: { System: {}, EventData: { Data: ['a', 'b'] } } })).toEqual({
      Data: ['a', 'b'],
    });
    expect(flattenEvtxRecord({ Event: { System: {}, EventData: { Data: 'only' } } })).toEqual({
      Data: 'only',
    });
    expect(flattenEvtxRecord({ Event: { System: {}, EventData: 'text' } })).toEqual({ Data: 'text' });
  });

  it('flattens UserData through its provider element', () => {
    const flat = flattenEvtxRecord({
      Event: {
        System: { EventID: 5858, Provider: { '#attributes': { Name: 'Microsoft-Windows-WMI-Activity' } } },
        UserData: {
          Operation_ClientFailure: {
            '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2006/windows/WMI' },
            Id: '{0}',
            ClientProcessId: 25920,
            Operation: 'Start IWbemServices',
          },
        },
      },
    });
    expect(flat).toEqual({
      EventID: 5858,
      Provider_Name: 'Microsoft-Windows-WMI-Activity',
      Id: '{0}',
      ClientProcessId: 25920,
      Operation: 'Start IWbemServices',
    });
  });

  it('does not let EventData replace the fields that identify the source', () => {
    const flat = flattenEvtxRecord({
      Event: {
        System: { EventID: 4688, Channel: 'Security' },
        EventData: { EventID: 'fake', Channel: 'x', Other: 1 },
      },
    });
    expect(flat).toEqual({ EventID: 4688, Channel: 'Security', Other: 1 });
  });

  it('gives an empty event for anything that is not a record', () => {
    for (const bad of [null, undefined, 42, 'text', [], { Event: 5 }])
      expect(flattenEvtxRecord(bad)).toEqual({});
  });
});
